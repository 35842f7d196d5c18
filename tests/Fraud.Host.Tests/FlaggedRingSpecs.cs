using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Host.Detection;

namespace Fraud.Host.Tests;

/// <summary>The dashboard's ring of the latest fraud verdicts, kept encoded.</summary>
public sealed class FlaggedRingSpecs
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 30, 15, 123, TimeSpan.FromHours(5.5));

    private static FlaggedTransaction Flagged(int i, string? category = "grocery", string id = "tx") => new(
        new Transaction($"{id}-{i}", $"ACC-{i}", "MERCH-Ünïcode-✓", 1234.5678m + i, "EUR", At.AddSeconds(i), category, i % 2 == 0 ? "FR" : null, null),
        new Verdict(0.25 * i, [new RuleHit("large-amount", 1234.5678m + i, 900m, null), new RuleHit("velocity-count", 7, 5, "PT1M")],
            At.AddSeconds(i).ToUniversalTime(), "node-a", Late: i % 3 == 0),
        Partition: i % 12);

    [Fact]
    public void Should_give_back_every_field_of_the_latest_verdicts_newest_first()
    {
        var ring = new FlaggedRing(capacity: 3);
        for (var i = 0; i < 5; i++)
        {
            ring.Add(Flagged(i, category: i == 4 ? null : "grocery"));
        }

        var kept = ring.NewestFirst().ToList();

        Assert.Equal(["tx-4", "tx-3", "tx-2"], kept.Select(f => f.Transaction.TransactionId));
        foreach (var flagged in kept)
        {
            var i = int.Parse(flagged.Transaction.TransactionId[3..]);
            var expected = Flagged(i, category: i == 4 ? null : "grocery");
            Assert.Equal(expected.Transaction, flagged.Transaction); // records: every field, the offset of the time too
            Assert.Equal(expected.Transaction.Timestamp.Offset, flagged.Transaction.Timestamp.Offset);
            Assert.Equal(expected.Partition, flagged.Partition);
            Assert.Equal(expected.Verdict.Score, flagged.Verdict.Score);
            Assert.Equal(expected.Verdict.DetectedAt, flagged.Verdict.DetectedAt);
            Assert.Equal(expected.Verdict.DetectorNode, flagged.Verdict.DetectorNode);
            Assert.Equal(expected.Verdict.Late, flagged.Verdict.Late);
            Assert.Equal(expected.Verdict.Rules, flagged.Verdict.Rules);
        }
    }

    [Fact]
    public void Should_keep_a_verdict_too_large_for_a_slot_encoded_on_its_own()
    {
        var ring = new FlaggedRing(capacity: 4);
        var huge = Flagged(1, id: new string('x', FlaggedRing.SlotBytes));
        ring.Add(Flagged(0));
        ring.Add(huge);
        ring.Add(Flagged(2));

        var kept = ring.NewestFirst().ToList();

        Assert.Equal(3, kept.Count);
        Assert.Equal(huge.Transaction, kept[1].Transaction);
        Assert.Equal(huge.Verdict.Rules, kept[1].Verdict.Rules);
        Assert.Equal("tx-2", kept[0].Transaction.TransactionId);
        Assert.Equal("tx-0", kept[2].Transaction.TransactionId);
    }

    [Fact]
    public void Should_make_only_the_verdicts_read_and_stop_before_one_replaced_while_reading()
    {
        var ring = new FlaggedRing(capacity: 4);
        for (var i = 0; i < 4; i++)
        {
            ring.Add(Flagged(i));
        }

        using var reading = ring.NewestFirst().GetEnumerator();
        Assert.True(reading.MoveNext());
        Assert.Equal("tx-3", reading.Current.Transaction.TransactionId);
        ring.Add(Flagged(4)); // replaces tx-0, not read yet
        ring.Add(Flagged(5)); // replaces tx-1
        var rest = new List<string>();
        while (reading.MoveNext())
        {
            rest.Add(reading.Current.Transaction.TransactionId);
        }

        Assert.Equal(["tx-2"], rest); // in order, never a newer one in an older one's place
        Assert.Equal(["tx-5", "tx-4", "tx-3", "tx-2"], ring.NewestFirst().Select(f => f.Transaction.TransactionId));
    }

    [Fact]
    public void Should_hold_no_more_than_its_slots_worth_of_large_verdicts_and_list_the_newest()
    {
        var ring = new FlaggedRing(capacity: 10);
        for (var i = 0; i < 10; i++)
        {
            ring.Add(Flagged(i, id: new string('x', 2_000))); // each ~2.3 KB: three times a slot
        }

        Assert.InRange(ring.LargeBytes, 1, 10 * FlaggedRing.SlotBytes);
        var kept = ring.NewestFirst().Select(f => f.Transaction.TransactionId[^1..]).ToList();
        Assert.Equal(["9", "8", "7"], kept); // the oldest large ones left the list first
        ring.Add(Flagged(10));
        Assert.Equal("tx-10", ring.NewestFirst().First().Transaction.TransactionId);
        Assert.Null(ring.NewestFirst(before: 0).FirstOrDefault().Flagged);
    }

    [Fact]
    public void Should_page_by_sequence_number()
    {
        var ring = new FlaggedRing(capacity: 10);
        for (var i = 0; i < 6; i++)
        {
            ring.Add(Flagged(i));
        }

        var first = ring.NewestFirst(null).Take(2).ToList();
        var next = ring.NewestFirst(first[^1].Sequence).Take(2).ToList();
        Assert.Equal(["tx-5", "tx-4"], first.Select(e => e.Flagged.Transaction.TransactionId));
        Assert.Equal(["tx-3", "tx-2"], next.Select(e => e.Flagged.Transaction.TransactionId));
    }

    [Fact]
    public void Should_be_empty_before_the_first_verdict()
    {
        Assert.Empty(new FlaggedRing(capacity: 10).NewestFirst());
    }
}

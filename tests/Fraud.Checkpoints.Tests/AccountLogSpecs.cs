using System.Text;
using Fraud.Checkpoints;
using Fraud.Checkpoints.Log;

namespace Fraud.Checkpoints.Tests;

/// <summary>The chunks the SQL store keeps a partition's accounts in.</summary>
public sealed class AccountLogSpecs
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static Dictionary<string, byte[]> Replay(IEnumerable<ArraySegment<byte>> chunks)
    {
        using var accounts = new AccountLog.LiveAccounts(capacity: 0);
        foreach (var chunk in chunks)
        {
            accounts.Apply(chunk.ToArray()); // as the store reads a row: the chunk's bytes, no more
        }

        return accounts.ToDictionary();
    }

    [Fact]
    public void Should_apply_states_and_removals_in_order_with_the_latest_state_winning()
    {
        using var first = AccountLog.Write([new("A", Bytes("a1")), new("B", Bytes("b1")), new("Ünïcode-✓", Bytes("u1"))], []);
        using var second = AccountLog.Write([new("A", Bytes("a2")), new("C", [])], ["B"]);

        var accounts = Replay(first.Segments.Concat(second.Segments));

        Assert.Equal(["A", "C", "Ünïcode-✓"], accounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Bytes("a2"), accounts["A"]);
        Assert.Equal(Bytes("u1"), accounts["Ünïcode-✓"]);
        Assert.Empty(accounts["C"]); // an empty state is a state, not a removal
    }

    [Fact]
    public void Should_split_entries_into_chunks_below_the_large_object_threshold()
    {
        var many = Enumerable.Range(0, 5_000).Select(i => new KeyValuePair<string, byte[]>($"ACC-{i}", new byte[100 + i % 50])).ToList();
        var huge = new KeyValuePair<string, byte[]>("HUGE", new byte[AccountLog.ChunkBytes * 2]);

        using var chunks = AccountLog.Write([.. many, huge], []);

        Assert.True(chunks.Count > 5, $"{chunks.Count} chunks for ~700 KB");
        // Only the entry larger than a chunk makes a larger one: version, id length, "HUGE", state length (3 bytes), state.
        Assert.Equal(huge.Value.Length + 1 + 1 + 4 + 3, Assert.Single(chunks.Segments, c => c.Count > AccountLog.ChunkBytes).Count);
        var accounts = Replay(chunks.Segments);
        Assert.Equal(5_001, accounts.Count);
        Assert.Equal(100 + 4_999 % 50, accounts["ACC-4999"].Length);
        Assert.Equal(huge.Value.Length, accounts["HUGE"].Length);
    }

    [Fact]
    public void Should_gather_the_live_accounts_from_pooled_chunks_as_applying_them_in_order_does()
    {
        using var first = AccountLog.Write([new("A", Bytes("a1")), new("B", Bytes("b1")), new("Ünïcode-✓", Bytes("u1"))], []);
        using var second = AccountLog.Write([new("A", Bytes("a2")), new("C", [])], ["B"]);
        using var live = new AccountLog.LiveAccounts(capacity: 2);
        live.Set("OLD", Bytes("o1")); // a row of the first layout, before the log
        foreach (var chunk in first.Segments.Concat(second.Segments))
        {
            var array = live.Rent(chunk.Count);
            chunk.AsSpan().CopyTo(array);
            array.AsSpan(chunk.Count).Fill(0xEE); // what a reused array holds past the chunk must not be read
            live.Apply(array.AsMemory(0, chunk.Count));
        }

        using var written = live.Write();
        var accounts = Replay(written.Segments);
        Assert.Equal(4, live.Count);
        Assert.Equal(["A", "C", "OLD", "Ünïcode-✓"], accounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Bytes("a2"), accounts["A"]);
        Assert.Empty(accounts["C"]);
        Assert.Equal(Bytes("o1"), accounts["OLD"]);
        Assert.Equal(Bytes("u1"), accounts["Ünïcode-✓"]);
    }

    [Fact]
    public void Should_write_nothing_when_nothing_changed()
    {
        using var chunks = AccountLog.Write([], []);
        Assert.Empty(chunks.Segments);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 9, 1, (byte)'A' })]
    [InlineData(new byte[] { 1, 5, (byte)'A' })]
    [InlineData(new byte[] { 1, 1, (byte)'A', 10, 1, 2 })]
    [InlineData(new byte[] { 1, 1, (byte)'A', 0x80 })]
    public void Should_refuse_a_chunk_it_cannot_read_with_a_clear_error(byte[] chunk)
    {
        using var accounts = new AccountLog.LiveAccounts(capacity: 0);
        var error = Assert.Throws<InvalidDataException>(() => accounts.Apply(chunk));
        Assert.StartsWith("account log chunk", error.Message);
    }
    [Fact]
    public void Should_compact_newest_chunk_first_into_what_applying_the_log_in_order_gives()
    {
        // An account saved again, one removed and saved back, one removed for good, an empty state, an id outside ASCII,
        // and an account twice within one chunk (the later entry is the newer).
        using var first = AccountLog.Write([new("A", Bytes("a1")), new("B", Bytes("b1")), new("Ünïcode-✓", Bytes("u1")), new("D", Bytes("d1"))], []);
        using var second = AccountLog.Write([new("A", Bytes("a2")), new("C", [])], ["B", "D"]);
        using var third = AccountLog.Write([new("B", Bytes("b3")), new("E", Bytes("e-old")), new("E", Bytes("e-new"))], []);
        var log = first.Segments.Concat(second.Segments).Concat(third.Segments).ToList();

        var compaction = new AccountLog.Compaction(capacity: 0);
        foreach (var chunk in Enumerable.Reverse(log))
        {
            compaction.ApplyOlder(chunk);
        }

        using var compacted = compaction.Finish();
        var expected = Replay(log);
        var accounts = Replay(compacted.Segments);
        Assert.Equal(["A", "B", "C", "E", "Ünïcode-✓"], expected.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), accounts.Keys.Order(StringComparer.Ordinal));
        foreach (var (account, state) in expected)
        {
            Assert.Equal(state, accounts[account]);
        }

        Assert.Equal(5, compaction.Live);
        Assert.Equal(Bytes("e-new"), accounts["E"]);
    }

    [Fact]
    public void Should_hand_a_compactions_chunks_out_as_they_fill_and_keep_none_twice()
    {
        // 20,000 accounts of ~150 bytes, saved twice: the base is ~50 chunks, and the ids set grows far past its capacity.
        var states = Enumerable.Range(0, 20_000).Select(i => new KeyValuePair<string, byte[]>($"ACC-{i}", new byte[100 + i % 100])).ToList();
        using var older = AccountLog.Write(states, []);
        using var newer = AccountLog.Write(states.Where((_, i) => i % 3 == 0).Select(s => new KeyValuePair<string, byte[]>(s.Key, Bytes("again-" + s.Key))).ToList(), []);
        var compaction = new AccountLog.Compaction(capacity: 16);
        var handedOut = new List<byte[]>();
        foreach (var chunk in newer.Segments.Reverse().Concat(older.Segments.Reverse()))
        {
            compaction.ApplyOlder(chunk);
            using var completed = compaction.TakeCompleted(atLeast: 10);
            handedOut.AddRange(completed?.Segments.Select(c => c.ToArray()) ?? []);
        }

        Assert.NotEmpty(handedOut); // out before the end
        using var rest = compaction.Finish();
        var accounts = Replay([.. handedOut.Select(c => new ArraySegment<byte>(c)), .. rest.Segments]);
        Assert.Equal(20_000, compaction.Live);
        Assert.Equal(20_000, accounts.Count);
        Assert.Equal(Bytes("again-ACC-3"), accounts["ACC-3"]);
        Assert.Equal(100 + 4 % 100, accounts["ACC-4"].Length);
    }
}

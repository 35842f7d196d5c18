using System.Text;
using Fraud.Actors.Detection;
using Fraud.Actors.Transactions;
using Fraud.Host.Reviews;

namespace Fraud.Host.Tests;

public sealed class ReviewBookSpecs
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    private static ReviewItem Review(string id, int secondsAfter, params string[] rules) =>
        ReviewItem.Parse(Output(id, rules), [new(OutputRecords.ReviewOriginHeader, Encoding.UTF8.GetBytes("queueing.transactions-7-123"))], T0.AddSeconds(secondsAfter))!;

    private static byte[] Output(string id, string[] rules)
    {
        var hits = string.Join(",", rules.Select(r => $$"""{"id":"{{r}}"}"""));
        return Encoding.UTF8.GetBytes($$$"""{"transactionId":"{{{id}}}","source":"ACC-{{{id}}}","amount":12.5,"currency":"EUR","timestamp":"2026-12-06T09:59:00Z","deviceId":"d-{{{id}}}","verdict":{"score":0.5,"action":"review","rules":[{{{hits}}}]}}""");
    }

    private static Decision Decided(string id, bool fraud, params string[] rules) =>
        new(id, fraud ? Decision.Fraud : Decision.Legit, "ana", T0.AddMinutes(5), null, "ACC-" + id, rules, 12.5m, "EUR", null);

    [Fact]
    public void Should_list_open_reviews_oldest_first_once_each_and_page_through_them()
    {
        var book = new ReviewBook(100);
        book.Queue(Review("c", 30, "r1"));
        book.Queue(Review("a", 10, "r1"));
        book.Queue(Review("b", 20, "r2"));
        book.Queue(Review("a", 10, "r1")); // a duplicate output (at-least-once) or a re-read
        Assert.Equal(["a", "b", "c"], book.Oldest(10).Select(r => r.TransactionId));
        var first = book.Oldest(2);
        Assert.Equal(["c"], book.Oldest(2, first[^1].Order).Select(r => r.TransactionId));
        Assert.Empty(book.Oldest(2, book.Oldest(10)[^1].Order));
        Assert.Equal(3, book.Summary(T0.AddSeconds(70)).Open);
        Assert.Equal(60, book.Summary(T0.AddSeconds(70)).OldestAgeSeconds);
    }

    [Fact]
    public void Should_close_a_review_whichever_comes_first_and_count_each_decision_once_per_rule()
    {
        var book = new ReviewBook(100);
        book.Decide(Decided("early", fraud: true, "r1")); // read before its review (another partition, another node)
        book.Queue(Review("early", 10, "r1"));
        book.Queue(Review("late", 20, "r1", "r2"));
        book.Decide(Decided("late", fraud: false, "r1", "r2"));
        Assert.Empty(book.Oldest(10));
        book.Decide(Decided("late", fraud: true, "r1", "r2")); // changed its mind: the later decision replaces the first
        var summary = book.Summary(T0);
        Assert.Equal(2, summary.Decided);
        Assert.Equal([new ReviewBook.RuleDecisions("r1", 2, 0), new ReviewBook.RuleDecisions("r2", 1, 0)], summary.Rules);
        book.Withdraw("early");
        Assert.Equal([new ReviewBook.RuleDecisions("r1", 1, 0), new ReviewBook.RuleDecisions("r2", 1, 0)], book.Summary(T0).Rules);
        Assert.Equal(0.5, new ReviewBook.RuleDecisions("r", 1, 1).Precision);
    }

    [Fact]
    public void Should_count_what_it_cannot_list_beyond_its_bound()
    {
        var book = new ReviewBook(2);
        foreach (var (id, at) in new[] { ("a", 1), ("b", 2), ("c", 3), ("d", 4) }) book.Queue(Review(id, at, "r"));
        var summary = book.Summary(T0);
        Assert.Equal((2, 2L), (summary.Open, summary.Unlisted));
    }

    [Fact]
    public void Should_read_a_review_output_with_its_partition_and_refuse_anything_else()
    {
        var item = Review("x", 0, "r1", "r2");
        Assert.Equal(("x", "ACC-x", 7, 12.5m, "EUR"), (item.TransactionId, item.Account, item.InputPartition, item.Amount, item.Currency));
        Assert.Equal(["r1", "r2"], item.Rules);
        Assert.Equal("d-x", item.Field("deviceId"));
        foreach (var hostile in new[] { "not json", "[]", "{}", """{"transactionId":"x","source":"a"}""", """{"transactionId":"x","source":"a","verdict":7}""", "\u0000" })
        {
            Assert.Null(ReviewItem.Parse(Encoding.UTF8.GetBytes(hostile), [], T0));
        }

        Assert.Null(ReviewItem.Parse(null, [], T0));
        Assert.Equal(7, RecordOrigin.PartitionOf("streaming.transactions.dead-letter-7-99"));
        Assert.Null(RecordOrigin.PartitionOf("no-origin"));
        Assert.Null(RecordOrigin.PartitionOf(null));
    }

    [Fact]
    public void Should_round_trip_a_decision_and_refuse_records_that_are_not_one()
    {
        var decision = Decided("t1", fraud: true, "r1") with { Reason = "denied", Listed = "blocked:ACC-t1" };
        var back = Decision.Parse(decision.ToJson())!;
        Assert.Equal(Encoding.UTF8.GetString(decision.ToJson()), Encoding.UTF8.GetString(back.ToJson()));
        Assert.Equal(["r1"], back.Rules);
        Assert.Equal(("denied", true), (back.Reason, back.IsFraud));
        Assert.Equal(Decision.Legit, Decision.Parse("""{"transactionId":"t","decision":"approve"}"""u8.ToArray())!.Outcome);
        foreach (var hostile in new[] { "{", "null", """{"transactionId":"t","decision":"perhaps"}""", """{"decision":"fraud"}""", "42" })
        {
            Assert.Null(Decision.Parse(Encoding.UTF8.GetBytes(hostile)));
        }
    }
}

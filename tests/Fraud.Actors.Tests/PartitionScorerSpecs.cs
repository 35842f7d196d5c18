using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

public sealed class PartitionScorerSpecs : PartitionSpec
{
    private static ScoreRequest Request(Transaction tx, RecordOrigin origin) => new(tx, origin);

    [Fact]
    public async Task Should_match_each_verdict_to_its_request()
    {
        var region = StartPartitions(Context());
        using var scorer = new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5));
        var small = scorer.ScoreAsync([Request(Tx(0, 10m, account: "ACC-S"), At(0))]);
        var large = scorer.ScoreAsync([Request(Tx(1, 5000m, account: "ACC-S", country: "US"), At(1))]);

        Assert.False(Assert.Single((await small).Verdicts)!.IsFraud);
        Assert.Contains(LargeAmountRule.Id, Assert.Single((await large).Verdicts)!.RuleIds());
    }

    [Fact]
    public async Task Should_send_one_message_per_partition_of_a_batch_and_answer_in_the_batchs_order()
    {
        var region = CreateTestProbe();
        using var scorer = new PartitionScorer(Sys, region.Ref, TimeSpan.FromSeconds(5));
        var batch = scorer.ScoreAsync([
            Request(Tx(0, account: "ACC-P0"), At(10, partition: 0)),
            Request(Tx(1, account: "ACC-P0"), At(11, partition: 0)),
            Request(Tx(2, account: "ACC-P1"), At(20, partition: 1)),
            Request(Tx(3, account: "ACC-P0"), At(12, partition: 0)),
        ]);

        var first = region.ExpectMsg<ScoreTransactions>();
        var second = region.ExpectMsg<ScoreTransactions>();
        var third = region.ExpectMsg<ScoreTransactions>();
        var replies = region.LastSender;
        region.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal("0: 10 11 | 1: 20 | 0: 12", string.Join(" | ", new[] { first, second, third }.Select(m => $"{m.Partition}: {string.Join(' ', m.Offsets)}")));

        // Answered out of order, and one partition no longer owned: verdicts land where their requests were.
        Verdict Named(string node) => new(0, [], T0, node);
        replies.Tell(new TransactionsScored([Named("c")], third.CorrelationId));
        replies.Tell(new PartitionNotOwned(1, second.CorrelationId));
        Assert.False(batch.IsCompleted); // one partition has not answered yet (replies are handled as they are told)
        replies.Tell(new TransactionsScored([Named("a"), Named("b")], first.CorrelationId));

        var verdicts = (await batch.WaitAsync(TimeSpan.FromSeconds(10))).Verdicts;
        Assert.Equal(["a", "b", null, "c"], verdicts.Select(v => v?.DetectorNode));
    }

    [Fact]
    public async Task Should_give_no_verdict_for_a_partition_not_owned_here()
    {
        var region = StartPartitions(Context(), generation: 1, 0);
        using var scorer = new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5));
        region.Tell(new PartitionsRevoked([0]), TestActor);

        Assert.Null(Assert.Single((await scorer.ScoreAsync([Request(Tx(0, account: "ACC-R"), At(0))])).Verdicts));
    }

    [Fact]
    public async Task Should_fail_a_request_whose_partition_failed()
    {
        var partition = CreateTestProbe();
        using var scorer = new PartitionScorer(Sys, partition.Ref, TimeSpan.FromSeconds(5));
        var request = scorer.ScoreAsync([Request(Tx(0, account: "ACC-X"), At(0))]);

        var asked = partition.ExpectMsg<ScoreTransactions>();
        partition.Reply(new PartitionFailed(0, "claimed elsewhere", asked.CorrelationId));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("claimed elsewhere", error.Message);
    }

    [Fact]
    public async Task Should_fail_a_request_that_is_not_answered_in_time()
    {
        var silent = CreateTestProbe(); // receives, never answers
        using var scorer = new PartitionScorer(Sys, silent.Ref, TimeSpan.FromMilliseconds(300));
        var request = scorer.ScoreAsync([Request(Tx(0, account: "ACC-T"), At(0))]);

        silent.ExpectMsg<ScoreTransactions>(m => m.Transactions[0].Source == "ACC-T");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("ACC-T", error.Message);
    }
}

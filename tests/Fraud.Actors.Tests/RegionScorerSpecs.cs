using Akka.Actor;
using Fraud.Actors.Accounts;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

public sealed class RegionScorerSpecs : RegionSpec
{
    [Fact]
    public async Task Should_match_each_verdict_to_its_request()
    {
        var region = StartRegion(Context());
        using var scorer = new RegionScorer(Sys, region, TimeSpan.FromSeconds(5));
        var small = scorer.ScoreAsync(Tx(0, 10m, account: "ACC-S"), At(0));
        var large = scorer.ScoreAsync(Tx(1, 5000m, account: "ACC-S", country: "US"), At(1));

        Assert.False((await small)!.IsFraud);
        Assert.Contains(LargeAmountRule.Id, (await large)!.RuleIds());
    }

    [Fact]
    public async Task Should_give_no_verdict_for_a_partition_not_owned_here()
    {
        var region = StartRegion(Context(), generation: 1, 0);
        using var scorer = new RegionScorer(Sys, region, TimeSpan.FromSeconds(5));
        region.Tell(new PartitionsRevoked([0]), TestActor);

        Assert.Null(await scorer.ScoreAsync(Tx(0, account: "ACC-R"), At(0)));
    }

    [Fact]
    public async Task Should_fail_a_request_whose_partition_failed()
    {
        var partition = CreateTestProbe();
        using var scorer = new RegionScorer(Sys, partition.Ref, TimeSpan.FromSeconds(5));
        var request = scorer.ScoreAsync(Tx(0, account: "ACC-X"), At(0));

        var asked = partition.ExpectMsg<ScoreTransaction>();
        partition.Reply(new PartitionFailed(0, "claimed elsewhere", asked.CorrelationId));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("claimed elsewhere", error.Message);
    }

    [Fact]
    public async Task Should_fail_a_request_that_is_not_answered_in_time()
    {
        var silent = CreateTestProbe(); // receives, never answers
        using var scorer = new RegionScorer(Sys, silent.Ref, TimeSpan.FromMilliseconds(300));
        var request = scorer.ScoreAsync(Tx(0, account: "ACC-T"), At(0));

        silent.ExpectMsg<ScoreTransaction>(m => m.Transaction.Source == "ACC-T");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("ACC-T", error.Message);
    }
}

using Akka.TestKit.Xunit2;
using Fraud.Actors.Accounts;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

public sealed class ShardRegionScorerSpecs : TestKit
{
    [Fact]
    public async Task Should_match_each_verdict_to_its_request()
    {
        var account = Sys.ActorOf(AccountActor.Props(new RuleSettings(), "scorer"));
        using var scorer = new ShardRegionScorer(Sys, account, TimeSpan.FromSeconds(5));
        var small = scorer.ScoreAsync(Tx(0, 10m, account: "ACC-S"));
        var large = scorer.ScoreAsync(Tx(1, 5000m, account: "ACC-S", country: "US"));

        Assert.False((await small).IsFraud);
        Assert.Contains(LargeAmountRule.Id, (await large).RuleIds());
    }

    [Fact]
    public async Task Should_fail_a_request_that_is_not_answered_in_time()
    {
        var silent = CreateTestProbe(); // receives, never answers
        using var scorer = new ShardRegionScorer(Sys, silent.Ref, TimeSpan.FromMilliseconds(300));
        var request = scorer.ScoreAsync(Tx(0, account: "ACC-T"));

        silent.ExpectMsg<ScoreTransaction>(m => m.Transaction.Source == "ACC-T");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("ACC-T", error.Message);
    }
}

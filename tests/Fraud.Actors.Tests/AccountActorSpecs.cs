using Akka.Actor;
using Fraud.Actors.Accounts;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>The account entities, sharded on a one-node cluster as in production.</summary>
public sealed class AccountActorSpecs : ClusterSpec
{
    private TransactionScored Ask(IActorRef region, Fraud.Actors.Transactions.Transaction tx)
    {
        region.Tell(new ScoreTransaction(tx), TestActor);
        return ExpectMsg<TransactionScored>(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Should_keep_state_per_account()
    {
        var region = await StartRegionAsync(TimeSpan.FromMinutes(5));
        for (var i = 0; i < 5; i++)
        {
            Assert.False(Ask(region, Tx(i, account: "ACC-A")).Verdict.IsFraud);
        }

        Assert.False(Ask(region, Tx(5, account: "ACC-B")).Verdict.IsFraud); // B's first, despite A's five
        var sixth = Ask(region, Tx(6, account: "ACC-A"));
        Assert.Equal([VelocityCountRule.Id], sixth.Verdict.RuleIds());
        Assert.Equal("spec-node", sixth.Verdict.DetectorNode);
    }

    [Fact]
    public async Task Should_passivate_an_idle_account_and_reactivate_it_on_the_next_transaction()
    {
        // Passivation never comes before the rules' retention: short windows here, so that it can come after 1 s.
        var region = await StartRegionAsync(TimeSpan.FromSeconds(1), ShortWindows());
        Ask(region, Tx(0, account: "ACC-IDLE"));
        var first = LastSender;
        Watch(first);
        ExpectTerminated(first, TimeSpan.FromSeconds(20));

        var again = Ask(region, Tx(1, account: "ACC-IDLE"));
        Assert.False(again.Verdict.IsFraud);
        Assert.NotEqual(first, LastSender); // a new incarnation answered
        Assert.Equal("ACC-IDLE", LastSender.Path.Name);
    }

    [Fact]
    public async Task Should_answer_a_redelivered_transaction_with_its_first_verdict()
    {
        var region = await StartRegionAsync(TimeSpan.FromMinutes(5));
        var original = Tx(0, 950m, account: "ACC-DUP", id: "same-id");
        var first = Ask(region, original);
        for (var i = 1; i <= 4; i++)
        {
            Ask(region, Tx(i, account: "ACC-DUP"));
        }

        var redelivered = Ask(region, original);
        Assert.Equal(first.Verdict, redelivered.Verdict);
        Assert.Equal(first.Verdict.DetectedAt, redelivered.Verdict.DetectedAt);
        // Five distinct transactions so far; had the redelivery counted, this would be the 7th, not the 6th.
        var sixth = Ask(region, Tx(5, account: "ACC-DUP"));
        Assert.Contains(sixth.Verdict.Rules, r => r.Id == VelocityCountRule.Id && r.Observed == 6m);
    }

    [Fact]
    public async Task Should_show_the_transactions_its_windows_hold_when_inspected()
    {
        var region = await StartRegionAsync(TimeSpan.FromMinutes(5));
        Ask(region, Tx(0, 12.5m, account: "ACC-LOOK", country: "FR"));
        Ask(region, Tx(10, 700m, account: "ACC-LOOK", country: "DE"));

        region.Tell(new InspectAccount("ACC-LOOK"), TestActor);
        var seen = ExpectMsg<AccountInspected>(TimeSpan.FromSeconds(10));

        Assert.Equal("ACC-LOOK", seen.AccountId);
        Assert.Equal([12.5m, 700m], seen.Window.Select(w => w.Amount));
        Assert.Equal(["FR", "DE"], seen.Window.Select(w => w.Country));
        Assert.Equal(TestTransactions.T0.AddSeconds(10), seen.Window[1].Timestamp);
        Assert.Equal(2, seen.RememberedVerdicts);
    }

    [Fact]
    public void Should_never_passivate_before_the_rules_retention()
    {
        var rules = new RuleSettings();
        Assert.Equal(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30), AccountShards.PassivationFor(new AccountShardSettings { PassivateAfter = TimeSpan.FromMinutes(10) }, rules));
        Assert.Equal(TimeSpan.FromHours(2), AccountShards.PassivationFor(new AccountShardSettings { PassivateAfter = TimeSpan.FromHours(2) }, rules));
        Assert.Equal(TimeSpan.FromSeconds(1), AccountShards.PassivationFor(new AccountShardSettings { PassivateAfter = TimeSpan.FromSeconds(1) }, ShortWindows()));
    }

    private static RuleSettings ShortWindows() => new()
    {
        AllowedLateness = TimeSpan.Zero,
        VelocityCount = { Window = TimeSpan.FromMilliseconds(500) },
        VelocityAmount = { Window = TimeSpan.FromMilliseconds(500) },
        SmallThenLarge = { Window = TimeSpan.FromMilliseconds(500) },
        ImpossibleTravel = { Window = TimeSpan.FromMilliseconds(500) },
    };

    [Fact]
    public void Should_score_directly_without_sharding()
    {
        var account = Sys.ActorOf(AccountActor.Props(new RuleSettings(), "solo"));
        account.Tell(new ScoreTransaction(Tx(0, 1000m)), TestActor);
        var scored = ExpectMsg<TransactionScored>();
        Assert.Equal([LargeAmountRule.Id], scored.Verdict.RuleIds());
    }
}

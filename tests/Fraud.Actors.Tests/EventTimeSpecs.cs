using Fraud.Actors.State;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>A record cannot blind its account's rules by lying about its time.</summary>
public sealed class EventTimeSpecs
{
    // As the parser reads a record: arrived at its own second, whatever it claims.
    private static Transaction Arrived(double atSeconds, decimal amount, string account, DateTimeOffset? claimed = null) =>
        Tx(atSeconds, amount, account) with { Timestamp = claimed ?? T0.AddSeconds(atSeconds), ReceivedAt = T0.AddSeconds(atSeconds) };

    private static List<string[]> Burst(AccountState state, string account, double from) =>
        Enumerable.Range(0, 8).Select(i => Score(state, Arrived(from + i, 30m, account)).RuleIds().ToArray()).ToList();

    [Theory]
    [InlineData(9999)]   // as far as a timestamp goes
    [InlineData(2027)]   // next year
    public void Should_flag_a_burst_after_a_far_future_record_as_on_a_clean_account(int year)
    {
        var clean = new AccountState();
        var expected = Burst(clean, "ACC-CLEAN", 10);

        var poisoned = new AccountState();
        var lie = Score(poisoned, Arrived(0, 30m, "ACC-LIE", new DateTimeOffset(year, 12, 31, 23, 59, 59, TimeSpan.Zero)));
        var burst = Burst(poisoned, "ACC-LIE", 10);

        Assert.False(lie.Late);
        Assert.Contains(expected, hits => hits.Contains(VelocityCountRule.Id)); // the burst is one
        // The lie counts at its arrival: one event more in the window than on the clean account, never fewer.
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Superset(expected[i].ToHashSet(), burst[i].ToHashSet());
        }

        Assert.True(poisoned.NewestTimestamp <= T0.AddSeconds(17) + EventTime.Tolerance);
    }

    [Fact]
    public void Should_not_make_later_records_late_after_a_record_dated_within_the_allowed_skew()
    {
        var state = new AccountState();
        Score(state, Arrived(0, 30m, "ACC-SKEW", T0.AddMinutes(4)));
        var next = Score(state, Arrived(5, 30m, "ACC-SKEW"));

        Assert.False(next.Late);
        Assert.Equal(2, state.EventCount);
    }

    [Fact]
    public void Should_still_judge_a_record_that_arrives_late_by_its_own_time()
    {
        var state = new AccountState();
        Score(state, Arrived(600, 30m, "ACC-L"));
        var late = Score(state, Arrived(601, 950m, "ACC-L", T0));

        Assert.True(late.Late);
        Assert.Equal([LargeAmountRule.Id], late.RuleIds());
    }

    [Fact]
    public void Should_forget_restored_events_dated_after_a_horizon()
    {
        var state = new AccountState();
        Score(state, Tx(0, 10m, "ACC-R"));
        Score(state, Tx(1, 10m, "ACC-R"));
        // As a state was saved before times were capped: the lie evicted the rest and is all the window holds.
        Score(state, Tx(0, 10m, "ACC-R") with { Timestamp = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero) });
        Assert.True(Score(state, Tx(2, 10m, "ACC-R")).Late);

        Assert.Equal(1, state.ForgetEventsAfter(T0.AddHours(1).UtcTicks));
        Assert.Null(state.NewestTimestamp);
        Assert.Equal(0, state.EventCount);
        Assert.False(Score(state, Tx(3, 10m, "ACC-R")).Late);
        Assert.Equal(0, state.ForgetEventsAfter(T0.AddHours(1).UtcTicks));
    }
}

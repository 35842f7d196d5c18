using Fraud.Actors.State;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

public sealed class RuleSpecs
{
    [Fact]
    public void Should_flag_large_amount_from_the_threshold_on()
    {
        var state = new AccountState();
        Assert.Empty(Score(state, Tx(0, 899.99m)).Rules);
        var verdict = Score(state, Tx(100, 900m));
        var hit = Assert.Single(verdict.Rules);
        Assert.Equal(new RuleHit(LargeAmountRule.Id, 900m, 900m, null), hit);
        Assert.True(verdict.IsFraud);
        Assert.Equal(0.9, verdict.Score, 3);
    }

    [Fact]
    public void Should_flag_velocity_burst_only_past_the_count()
    {
        var state = new AccountState();
        for (var i = 0; i < 5; i++)
        {
            Assert.DoesNotContain(VelocityCountRule.Id, Score(state, Tx(i * 10)).RuleIds());
        }

        var sixth = Score(state, Tx(50));
        var hit = Assert.Single(sixth.Rules);
        Assert.Equal(VelocityCountRule.Id, hit.Id);
        Assert.Equal(6m, hit.Observed);
        Assert.Equal(5m, hit.Limit);
        Assert.Equal("60s", hit.Window);
    }

    [Fact]
    public void Should_not_count_an_event_exactly_one_window_old()
    {
        var state = new AccountState();
        for (var i = 0; i < 5; i++)
        {
            Score(state, Tx(i));
        }

        // The first event is at 0 s; at 60 s it has left the (t-60, t] window, so only 4 + 1 remain.
        Assert.Empty(Score(state, Tx(60)).Rules);
        Assert.Contains(VelocityCountRule.Id, Score(state, Tx(60.5)).RuleIds()); // 1..4, 60, 60.5 = 6
    }

    [Fact]
    public void Should_count_out_of_order_events_within_the_lateness()
    {
        var state = new AccountState();
        Score(state, Tx(50));
        Score(state, Tx(55));
        Score(state, Tx(58));
        Score(state, Tx(59));
        // 25 s late (allowed: 30 s): it counts in the window that ends at it, and in later windows.
        var late = Score(state, Tx(30));
        Assert.False(late.Late);
        Assert.Empty(late.Rules);
        Assert.Contains(VelocityCountRule.Id, Score(state, Tx(60)).RuleIds()); // 30,50,55,58,59,60 = 6
    }

    [Fact]
    public void Should_judge_events_later_than_the_lateness_by_the_instant_rule_only_and_not_record_them()
    {
        var state = new AccountState();
        for (var i = 0; i < 5; i++)
        {
            Score(state, Tx(100 + i));
        }

        var tooLate = Score(state, Tx(60, 950m)); // 44 s behind the newest (104 s)
        Assert.True(tooLate.Late);
        Assert.Equal([LargeAmountRule.Id], tooLate.RuleIds());
        Assert.Equal(5, state.EventCount);
    }

    [Fact]
    public void Should_flag_the_sum_over_the_window_above_the_limit()
    {
        var state = new AccountState();
        Assert.Empty(Score(state, Tx(0, 800m)).Rules);
        Assert.Empty(Score(state, Tx(10, 800m)).Rules);
        var third = Score(state, Tx(20, 800m));
        var hit = Assert.Single(third.Rules);
        Assert.Equal(new RuleHit(VelocityAmountRule.Id, 2400m, 2000m, "60s"), hit);
        // 70 s later the first two have left the window: 800 + 800 does not exceed 2000.
        Assert.Empty(Score(state, Tx(75, 800m)).Rules);
    }

    [Fact]
    public void Should_flag_small_then_large_within_the_window_only()
    {
        var state = new AccountState();
        Score(state, Tx(0, 0.50m));
        var large = Score(state, Tx(30, 600m));
        Assert.Equal([SmallThenLargeRule.Id], large.RuleIds());

        var other = new AccountState();
        Score(other, Tx(0, 0.50m));
        Assert.Empty(Score(other, Tx(61, 600m)).Rules);
        Assert.Empty(Score(other, Tx(62, 1.00m)).Rules); // 1.00 is not "under 1.00"
    }

    [Fact]
    public void Should_flag_impossible_travel_but_not_a_plausible_trip()
    {
        var state = new AccountState();
        Score(state, Tx(0, country: "US"));
        var tokyo = Score(state, Tx(120, country: "JP"));
        var hit = Assert.Single(tokyo.Rules);
        Assert.Equal(ImpossibleTravelRule.Id, hit.Id);
        Assert.True(hit.Observed > 900m);

        var trip = new AccountState();
        Score(trip, Tx(0, country: "FR"));
        Assert.Empty(Score(trip, Tx(2 * 3600, country: "DE")).Rules); // ~600 km in 2 h
        Assert.Empty(Score(trip, Tx(2 * 3600 + 10, country: "DE")).Rules);
    }

    [Fact]
    public void Should_not_compare_travel_beyond_its_window()
    {
        var rules = new RuleSettings { ImpossibleTravel = { Window = TimeSpan.FromMinutes(10) } };
        var state = new AccountState();
        Score(state, Tx(0, country: "US"), rules);
        Assert.Empty(Score(state, Tx(11 * 60, country: "JP"), rules).Rules);
    }

    [Fact]
    public void Should_return_the_first_verdict_for_a_duplicate_and_count_it_once()
    {
        var state = new AccountState();
        var first = Score(state, Tx(0, id: "dup"));
        for (var i = 1; i <= 3; i++)
        {
            Score(state, Tx(i));
        }

        // Redelivered three times: the first verdict (equal in every field: time, node), and the window still holds 4 events, not 7.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(first, Scoring.Score(state, Tx(0, id: "dup"), new RuleSettings(), T0.AddHours(1), "other-node"));
        }

        Assert.Equal(4, state.EventCount);
        Assert.Empty(Score(state, Tx(5)).Rules); // the 5th distinct one: not a burst
        Assert.Contains(VelocityCountRule.Id, Score(state, Tx(6)).RuleIds()); // the 6th distinct one
    }

    [Fact]
    public void Should_forget_the_oldest_ids_first_and_give_back_a_fraud_verdict_as_the_same_object()
    {
        var rules = new RuleSettings { RememberedIdsPerAccount = 4 };
        var state = new AccountState();
        var verdicts = Enumerable.Range(0, 10).Select(i => Score(state, Tx(i * 600, i == 8 ? 950m : 20m, id: $"id-{i}"), rules)).ToList();
        var events = state.EventCount;

        // The last four ids are remembered: their redeliveries get the first verdict back and change nothing.
        Assert.Same(verdicts[8], Scoring.Score(state, Tx(8 * 600, 950m, id: "id-8"), rules, T0.AddDays(1), "other-node"));
        foreach (var i in new[] { 6, 7, 9 })
        {
            Assert.Equal(verdicts[i], Scoring.Score(state, Tx(i * 600, id: $"id-{i}"), rules, T0.AddDays(1), "other-node"));
        }

        Assert.Equal(events, state.EventCount);
        Assert.Equal(4, state.RememberedIds);
        // The fifth newest was forgotten: it is judged again, now.
        Assert.Equal("other-node", Scoring.Score(state, Tx(5 * 600, id: "id-5"), rules, T0.AddDays(1), "other-node").DetectorNode);
    }

    [Fact]
    public void Should_keep_state_bounded_in_time_and_count()
    {
        var rules = new RuleSettings { MaxEventsPerAccount = 10, RememberedIdsPerAccount = 8 };
        var state = new AccountState();
        for (var i = 0; i < 50; i++)
        {
            Score(state, Tx(i * 0.1), rules);
        }

        Assert.Equal(10, state.EventCount);
        Assert.Equal(8, state.RememberedIds);

        Score(state, Tx(24 * 3600), rules); // a day later everything else has expired
        Assert.Equal(1, state.EventCount);
    }

    [Fact]
    public void Should_ignore_disabled_rules()
    {
        var rules = new RuleSettings { LargeAmount = { Enabled = false } };
        Assert.Empty(Score(new AccountState(), Tx(0, 950m), rules).Rules);
    }

    [Fact]
    public void Should_combine_weights_of_several_rules()
    {
        var state = new AccountState();
        Score(state, Tx(0, 0.10m, country: "US"));
        var verdict = Score(state, Tx(10, 950m, country: "AU"));
        Assert.Equal([LargeAmountRule.Id, SmallThenLargeRule.Id, ImpossibleTravelRule.Id], verdict.RuleIds());
        Assert.Equal(1 - 0.1 * 0.1 * 0.1, verdict.Score, 4);
    }
}

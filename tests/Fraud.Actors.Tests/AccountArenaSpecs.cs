using Fraud.Actors.State;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>Accounts that keep their events and verdicts in one shared arena behave exactly as if each had its own.</summary>
public sealed class AccountArenaSpecs
{
    // Small bounds, one not a power of two: windows and rings fill, wrap and trim within a short stream.
    private static readonly RuleSettings Bounded = new() { MaxEventsPerAccount = 12, RememberedIdsPerAccount = 10 };

    [Fact]
    public void Should_score_accounts_sharing_an_arena_as_each_with_its_own_would()
    {
        var random = new Random(7);
        var arena = new AccountArena();
        var shared = new Dictionary<string, AccountState>();
        var alone = new Dictionary<string, AccountState>();
        var ids = new Dictionary<string, List<string>>();
        string?[] countries = ["US", "DE", "de", "ZZ", null, "JP"];
        var compared = 0;
        for (var i = 0; i < 6_000; i++)
        {
            var account = "ACC" + random.Next(40);
            if (random.Next(100) == 0 && shared.Remove(account, out var dropped))
            {
                // Passivated: its blocks go back to the arena, to be reused by the next new account.
                dropped.Release();
                alone.Remove(account);
                ids.Remove(account);
            }

            var seen = ids.TryGetValue(account, out var list) ? list : ids[account] = [];
            var id = seen.Count > 0 && random.Next(10) == 0 ? seen[random.Next(seen.Count)] : $"tx-{i}";
            seen.Add(id);
            // Mostly in order, some late within (and some beyond) the allowed lateness.
            var at = i * 2.0 - (random.Next(8) == 0 ? random.Next(60) : 0);
            var amount = random.Next(4) == 0 ? 0.5m : random.Next(1, 1200);
            var tx = Tx(at, amount, account, countries[random.Next(countries.Length)], id);
            var a = Scoring.Score(State(shared, account, () => new AccountState(arena)), tx, Bounded, T0, "n1");
            var b = Scoring.Score(State(alone, account, () => new AccountState()), tx, Bounded, T0, "n1");
            Assert.Equal(b.Score, a.Score);
            Assert.Equal(b.Rules, a.Rules);
            Assert.Equal(b.Late, a.Late);
            compared++;
        }

        Assert.Equal(6_000, compared);
        foreach (var (account, state) in shared)
        {
            Assert.Equal(alone[account].Window(), state.Window());
            Assert.Equal(alone[account].RememberedIds, state.RememberedIds);
            Assert.Equal(AccountStateCodec.Write(alone[account]), AccountStateCodec.Write(state));
        }
    }

    [Fact]
    public void Should_give_a_released_accounts_blocks_to_the_next_new_one()
    {
        var arena = new AccountArena();
        var first = new AccountState(arena);
        for (var k = 0; k < 3; k++)
        {
            Score(first, Tx(k, account: "A"));
        }

        var bytes = arena.Bytes;
        Assert.Equal(1, arena.RowsInUse);
        first.Release();
        Assert.Equal(0, arena.RowsInUse);

        var next = new AccountState(arena);
        Score(next, Tx(100, 7m, "B", "JP"));
        Assert.Equal(bytes, arena.Bytes); // no new array: the released blocks served it
        var only = Assert.Single(next.Window());
        Assert.Equal((7m, "JP"), (only.Amount, only.Country));
    }

    [Fact]
    public void Should_say_an_arena_is_mostly_free_once_most_accounts_are_dropped_and_move_the_rest_unchanged()
    {
        var arena = new AccountArena();
        var states = Enumerable.Range(0, 20_000).Select(_ => new AccountState(arena)).ToList();
        for (var i = 0; i < states.Count; i++)
        {
            for (var k = 0; k < 3; k++)
            {
                Score(states[i], Tx(k * 10 + i % 7, 10m + k, $"A{i}", k == 2 ? "JP" : "US", $"id-{i}-{k}"));
            }
        }

        Assert.False(arena.MostlyFree);
        var kept = states.Where((_, i) => i % 20 == 0).ToList();
        foreach (var dropped in states.Where((_, i) => i % 20 != 0))
        {
            dropped.Release();
        }

        Assert.True(arena.MostlyFree, $"{arena.Bytes} bytes");
        var before = kept.Select(AccountStateCodec.Write).ToList();
        var twins = before.Select(bytes => AccountStateCodec.Read(bytes)).ToList(); // the same states, never moved
        var smaller = new AccountArena();
        foreach (var state in kept)
        {
            state.MoveTo(smaller);
        }

        Assert.Same(smaller, kept[0].Arena);
        Assert.True(smaller.Bytes * 10 < arena.Bytes, $"{smaller.Bytes} bytes moved out of {arena.Bytes}");
        Assert.Equal(before, kept.Select(AccountStateCodec.Write));
        for (var i = 0; i < kept.Count; i++)
        {
            var again = Tx(25, 950m, $"A{i * 20}", "DE", $"id-{i * 20}-1"); // a duplicate: its first verdict again
            Assert.Equal(Score(twins[i], again).Score, Score(kept[i], again).Score);
            var next = Tx(40, 600m, $"A{i * 20}", "DE");
            var moved = Score(kept[i], next);
            Assert.Equal(Score(twins[i], next).Rules, moved.Rules);
            Assert.NotEmpty(moved.Rules); // JP to DE within a minute: the moved window is what the rules read
        }
    }

    [Fact]
    public void Should_keep_a_country_outside_the_table_as_spelled_and_travel_from_a_known_one_in_any_case()
    {
        var state = new AccountState();
        Score(state, Tx(0, country: "de"));
        Score(state, Tx(10, country: "ZZ"));
        Score(state, Tx(20, country: null));
        Assert.Equal(["de", "ZZ", null], state.Window().Select(e => e.Country));
        Assert.Equal(["de", "ZZ", null], AccountStateCodec.Read(AccountStateCodec.Write(state)).Window().Select(e => e.Country));

        var trip = new AccountState();
        Score(trip, Tx(0, country: "de"));
        Assert.Contains(ImpossibleTravelRule.Id, Score(trip, Tx(600, country: "US")).RuleIds()); // Germany to the US in 10 minutes
    }

    private static AccountState State(Dictionary<string, AccountState> states, string account, Func<AccountState> create) =>
        states.TryGetValue(account, out var state) ? state : states[account] = create();
}

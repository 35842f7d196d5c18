using Fraud.Actors.State;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>An account's state is bounded in bytes however it is used: by count, times sizes the input limits bound.</summary>
public sealed class StateBoundsSpecs
{
    /// <summary>What an account keeps at most with the default limits: 256 events, 64 remembered verdicts with their rules.</summary>
    private const int MaxStateBytes = 32 * 1024;

    [Fact]
    public void Should_keep_an_account_hammered_by_flagged_transactions_with_the_longest_ids_under_its_bound()
    {
        var state = new AccountState();
        var limits = RecordLimits.Default;
        for (var i = 0; i < 5_000; i++)
        {
            // Every rule fires at once where it can: large, fast, far, after a small one.
            var id = i.ToString("D" + limits.MaxFieldBytes);
            var tx = Tx(i * 0.01, i % 7 == 0 ? 0.5m : limits.MaxAmount, account: "ACC-HAMMER", country: i % 2 == 0 ? "US" : "JP", id: id);
            Score(state, tx);
        }

        var bytes = AccountStateCodec.Write(state);
        Assert.True(bytes.Length <= MaxStateBytes, $"{bytes.Length} bytes");
        Assert.Equal(new RuleSettings().MaxEventsPerAccount, state.EventCount);
        Assert.Equal(new RuleSettings().RememberedIdsPerAccount, state.RememberedIds);
    }
}

using Fraud.Actors.State;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Benchmarks.ActorLayer;

/// <summary>
/// A control for the benchmark only: the same pure scoring without actors (a locked dictionary of account states), to
/// separate what the actors cost from what the rest of the graph costs. Not for production: it has no partitions, no
/// checkpoints, no passivation, and one lock.
/// </summary>
internal sealed class DirectScorer(RuleSettings rules) : IAccountScorer
{
    private readonly Dictionary<string, AccountState> _accounts = new();
    private readonly AccountArena _arena = new();

    public Task<ScoredBatch> ScoreAsync(IReadOnlyList<ScoreRequest> batch)
    {
        var verdicts = new Verdict?[batch.Count];
        lock (_accounts)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var transaction = batch[i].Transaction;
                if (!_accounts.TryGetValue(transaction.Source, out var state))
                {
                    _accounts[transaction.Source] = state = new AccountState(_arena);
                }

                verdicts[i] = Scoring.Score(state, transaction, rules, DateTimeOffset.UtcNow, "direct");
            }
        }

        return Task.FromResult(new ScoredBatch(verdicts));
    }
}

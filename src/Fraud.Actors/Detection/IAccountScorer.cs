using System.Collections.Concurrent;
using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>Where the graph sends transactions to be judged. The production one asks the accounts' partition actors.</summary>
public interface IAccountScorer
{
    /// <summary>Requests of one account are scored in the order given (see <see cref="ScoredBatch"/>).</summary>
    Task<ScoredBatch> ScoreAsync(IReadOnlyList<ScoreRequest> batch);
}

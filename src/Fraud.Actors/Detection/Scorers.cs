using Akka.Actor;
using Fraud.Actors.Accounts;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>Where the graph sends a transaction to be judged. The production one asks the account's entity.</summary>
public interface IAccountScorer
{
    Task<Verdict> ScoreAsync(Transaction transaction);
}

/// <summary>Asks the account's actor through the shard region.</summary>
public sealed class ShardRegionScorer(IActorRef region, TimeSpan timeout) : IAccountScorer
{
    public async Task<Verdict> ScoreAsync(Transaction transaction)
    {
        var reply = await region.Ask<TransactionScored>(new ScoreTransaction(transaction), timeout).ConfigureAwait(false);
        return reply.Verdict;
    }
}

using Akka.Actor;
using Akka.Event;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>Accounts held in memory on this node, across its partitions (for the dashboard and the metrics).</summary>
public sealed class AccountCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(long delta) => Interlocked.Add(ref _count, delta);
}

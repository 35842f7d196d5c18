using Akka.Actor;

namespace Fraud.Actors.Partitions;

/// <summary>
/// A node's accounts, as one child <see cref="PartitionActor"/> per input partition this node owns. Kafka's group
/// assignment decides which node owns which partition (and so which accounts): the shard of an account is its
/// partition, placed where its transactions are consumed. The region follows assignments and revocations and routes
/// each message to its partition's actor; a batch of transactions read under an assignment that has since ended is answered
/// <see cref="PartitionNotOwned"/>, never scored against the wrong state.
/// </summary>
public sealed class OwnedPartitions : ReceiveActor
{
    private readonly Dictionary<int, Child> _children = new();
    // Transactions that arrived before the assignment they were read under (cannot happen in practice: the
    // assignment is told before its first record is fetched; kept so that a reordering could never drop one).
    private readonly Dictionary<int, List<(ScoreTransactions Message, IActorRef Sender)>> _early = new();
    private readonly Dictionary<int, int> _lastGeneration = new();

    public OwnedPartitions(PartitionContext context)
    {
        Receive<PartitionsAssigned>(assigned =>
        {
            foreach (var assignment in assigned.Partitions)
            {
                if (_children.Remove(assignment.Partition, out var previous))
                {
                    previous.Actor.Tell(ReleasePartition.Instance);
                }

                var actor = Context.ActorOf(PartitionActor.Props(assignment, context), $"partition-{assignment.Partition}-{assignment.Generation}");
                Context.Watch(actor);
                _children[assignment.Partition] = new Child(actor, assignment.Generation);
                _lastGeneration[assignment.Partition] = assignment.Generation;
                if (_early.Remove(assignment.Partition, out var early))
                {
                    foreach (var (message, sender) in early)
                    {
                        Route(message, sender);
                    }
                }
            }
        });
        Receive<PartitionsRevoked>(revoked =>
        {
            foreach (var partition in revoked.Partitions)
            {
                if (_children.Remove(partition, out var child))
                {
                    // Not Context.Stop: the actor may hold transactions (while restoring, or in its mailbox) that
                    // each need an answer, or the stream waits for them until its score timeout fails it.
                    child.Actor.Tell(ReleasePartition.Instance);
                }
            }
        });
        Receive<Terminated>(terminated =>
        {
            // A partition actor that stopped on its own (a bug, or a crash it could not survive) must not be routed to.
            foreach (var (partition, child) in _children.Where(c => c.Value.Actor.Equals(terminated.ActorRef)).ToList())
            {
                _children.Remove(partition);
            }
        });
        Receive<ScoreTransactions>(score => Route(score, Sender));
        Receive<InspectAccount>(query =>
        {
            if (_children.TryGetValue(query.Partition, out var child))
            {
                child.Actor.Forward(query);
            }
            else
            {
                Sender.Tell(AccountInspected.Unknown(query.AccountId, context.Node));
            }
        });
        Receive<FlushCheckpoints>(flush =>
        {
            var flushed = _children.Values.Select(c => c.Actor.Ask<CheckpointsFlushed>(flush, context.Accounts.FlushTimeout)).ToList();
            Task.WhenAll(flushed).PipeTo(Sender, success: _ => CheckpointsFlushed.Instance);
        });
        Receive<GetPartitionsStatus>(_ => Sender.Tell(new PartitionsStatus(_children.Keys.Order().ToArray(), context.Counter.Count)));
    }

    public static Props Props(PartitionContext context) => Akka.Actor.Props.Create(() => new OwnedPartitions(context));

    private void Route(ScoreTransactions score, IActorRef sender)
    {
        var generation = score.Generation;
        if (_children.TryGetValue(score.Partition, out var child) && child.Generation == generation)
        {
            child.Actor.Tell(score, sender);
        }
        else if (generation > _lastGeneration.GetValueOrDefault(score.Partition, -1))
        {
            (_early.TryGetValue(score.Partition, out var list) ? list : _early[score.Partition] = new()).Add((score, sender));
        }
        else
        {
            sender.Tell(new PartitionNotOwned(score.Partition, score.CorrelationId));
        }
    }

    private readonly record struct Child(IActorRef Actor, int Generation);
}

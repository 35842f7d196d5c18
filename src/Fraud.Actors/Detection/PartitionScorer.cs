using System.Collections.Concurrent;
using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// Sends a batch of transactions to their accounts through the node's <see cref="OwnedPartitions"/>, as one message per
/// partition (and assignment generation) in the batch, and completes the batch's promise when every partition has
/// answered. One long-lived reply reference serves every request by correlation id, instead of an <c>Ask</c> per message
/// (a temporary actor, a promise, a cancellation timer and a registry entry each time); timeouts are swept once a second.
/// </summary>
/// <remarks>
/// The reply reference is not an actor with a mailbox but, like the reference an <c>Ask</c> makes, one that handles a
/// reply on the thread that tells it (<see cref="Replies"/>): the partition actor that answers fills in its verdicts, and
/// the last one to answer completes the batch. Through a reply actor every partition's answer was one more thread hop,
/// and the answers of all partitions queued behind each other in its one mailbox. Replies only ever come from this
/// node's partition actors, so the reference never needs to be reachable from elsewhere.
/// </remarks>
public sealed class PartitionScorer : IAccountScorer, IDisposable
{
    private readonly IActorRef _region;
    private readonly IActorRef _sweeper;
    private readonly IActorRef _replies;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly long _timeoutMs;
    private long _nextId;

    public PartitionScorer(IActorRefFactory actors, IActorRef region, TimeSpan timeout)
    {
        _region = region;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _sweeper = actors.ActorOf(Props.Create(() => new Sweeper(this)));
        _replies = new Replies(this, ((IInternalActorRef)_sweeper).Provider);
    }

    public Task<ScoredBatch> ScoreAsync(IReadOnlyList<ScoreRequest> batch)
    {
        var call = new BatchCall(batch.Count);
        if (batch.Count == 0)
        {
            return Task.FromResult(new ScoredBatch(call.Verdicts));
        }

        // Consecutive runs of one partition and generation are the common case (the source emits a fetch's records
        // partition by partition); a partition met again later in the batch simply gets a message of its own, which
        // reaches its actor after the first, so each account keeps its order.
        var parts = new List<(int Start, int Count)>();
        var start = 0;
        for (var i = 1; i <= batch.Count; i++)
        {
            if (i == batch.Count || batch[i].Origin.Partition != batch[start].Origin.Partition || batch[i].Origin.Generation != batch[start].Origin.Generation)
            {
                parts.Add((start, i - start));
                start = i;
            }
        }

        call.Remaining = parts.Count;
        var deadline = Environment.TickCount64 + _timeoutMs;
        foreach (var (first, count) in parts)
        {
            var transactions = new Transaction[count];
            var offsets = new long[count];
            for (var k = 0; k < count; k++)
            {
                transactions[k] = batch[first + k].Transaction;
                offsets[k] = batch[first + k].Origin.Offset;
            }

            var origin = batch[first].Origin;
            var id = Interlocked.Increment(ref _nextId);
            _pending[id] = new Pending(call, first, deadline, origin.Partition, transactions[0].Source);
            _region.Tell(new ScoreTransactions(origin.Partition, origin.Generation, transactions, offsets, id), _replies);
        }

        return call.Promise.Task;
    }

    /// <summary>Stops the timeout sweeps; requests still pending fail.</summary>
    public void Dispose()
    {
        _sweeper.Tell(PoisonPill.Instance);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Call.Promise.TrySetException(new ObjectDisposedException(nameof(PartitionScorer)));
            }
        }
    }

    private void Complete(TransactionsScored reply)
    {
        if (_pending.TryRemove(reply.CorrelationId, out var pending))
        {
            for (var k = 0; k < reply.Verdicts.Count; k++)
            {
                pending.Call.Verdicts[pending.First + k] = reply.Verdicts[k];
            }

            if (reply.Failures is { } failures)
            {
                var all = pending.Call.FailuresArray();
                for (var k = 0; k < failures.Count; k++)
                {
                    all[pending.First + k] = failures[k];
                }
            }

            pending.Call.PartDone();
        }
    }

    private void Skip(PartitionNotOwned reply)
    {
        if (_pending.TryRemove(reply.CorrelationId, out var pending))
        {
            pending.Call.PartDone(); // its verdicts stay null: not scored here
        }
    }

    private void Fail(PartitionFailed reply)
    {
        if (_pending.TryRemove(reply.CorrelationId, out var pending))
        {
            pending.Call.Promise.TrySetException(new InvalidOperationException(reply.Reason));
        }
    }

    private void FailExpired()
    {
        var now = Environment.TickCount64;
        foreach (var (id, pending) in _pending)
        {
            if (pending.DeadlineMs <= now && _pending.TryRemove(id, out _))
            {
                pending.Call.Promise.TrySetException(new TimeoutException(
                    $"partition {pending.Partition} (account {pending.Account} and the rest of its batch) did not answer within {_timeoutMs} ms"));
            }
        }
    }

    /// <summary>One <see cref="ScoreAsync"/> call: its verdicts, filled in as its partitions answer.</summary>
    private sealed class BatchCall(int size)
    {
        public Verdict?[] Verdicts { get; } = new Verdict?[size];

        // Made only for a batch with a record whose scoring threw; each partition writes its own slots.
        public string?[]? Failures;

        /// <summary>The failures' array, made once however many partitions (on their own threads) need it.</summary>
        public string?[] FailuresArray()
        {
            Interlocked.CompareExchange(ref Failures, new string?[Verdicts.Length], null);
            return Failures!;
        }

        public TaskCompletionSource<ScoredBatch> Promise { get; } = new();

        public int Remaining;

        public void PartDone()
        {
            if (Interlocked.Decrement(ref Remaining) == 0)
            {
                Promise.TrySetResult(new ScoredBatch(Verdicts, Volatile.Read(ref Failures)));
            }
        }
    }

    private readonly record struct Pending(BatchCall Call, int First, long DeadlineMs, int Partition, string Account);

    /// <summary>Where partitions answer: each answer is handled on the thread of the one that tells it.</summary>
    private sealed class Replies(PartitionScorer scorer, IActorRefProvider provider) : MinimalActorRef
    {
        public override ActorPath Path { get; } = provider.TempPath();

        public override IActorRefProvider Provider { get; } = provider;

        protected override void TellInternal(object message, IActorRef sender)
        {
            switch (message)
            {
                case TransactionsScored scored:
                    scorer.Complete(scored);
                    break;
                case PartitionNotOwned notOwned:
                    scorer.Skip(notOwned);
                    break;
                case PartitionFailed failed:
                    scorer.Fail(failed);
                    break;
                default:
                    Provider.DeadLetters.Tell(message, sender); // nothing else is expected here: seen in the dead-letter log, not dropped
                    break;
            }
        }
    }

    /// <summary>Fails the requests past their deadline, once a second.</summary>
    private sealed class Sweeper : ReceiveActor, IWithTimers
    {
        private sealed record Sweep
        {
            public static readonly Sweep Instance = new();
        }

        public Sweeper(PartitionScorer scorer) => Receive<Sweep>(_ => scorer.FailExpired());

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, TimeSpan.FromSeconds(1));
    }
}

using System.Collections.Concurrent;
using Akka.Actor;
using Fraud.Actors.Accounts;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>Where the graph sends a transaction to be judged. The production one asks the account's partition actor.</summary>
public interface IAccountScorer
{
    /// <summary>The verdict; null when the record's partition is no longer owned here (its new owner scores it).</summary>
    Task<Verdict?> ScoreAsync(Transaction transaction, RecordOrigin origin);
}

/// <summary>
/// Sends each transaction to its account through the node's <see cref="AccountRegion"/> and completes a promise when
/// the verdict comes back. One long-lived reply actor serves every request by correlation id, instead of an <c>Ask</c>
/// per transaction (a temporary actor, a promise, a cancellation timer and a registry entry each time); timeouts are
/// swept once a second.
/// </summary>
public sealed class RegionScorer : IAccountScorer, IDisposable
{
    private readonly IActorRef _region;
    private readonly IActorRef _replies;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly long _timeoutMs;
    private long _nextId;

    public RegionScorer(IActorRefFactory actors, IActorRef region, TimeSpan timeout)
    {
        _region = region;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        _replies = actors.ActorOf(Props.Create(() => new ReplyActor(this)));
    }

    public Task<Verdict?> ScoreAsync(Transaction transaction, RecordOrigin origin)
    {
        var id = Interlocked.Increment(ref _nextId);
        var promise = new TaskCompletionSource<Verdict?>();
        _pending[id] = new Pending(promise, Environment.TickCount64 + _timeoutMs, transaction.Source);
        _region.Tell(new ScoreTransaction(transaction, origin, id), _replies);
        return promise.Task;
    }

    /// <summary>Stops the reply actor; requests still pending fail.</summary>
    public void Dispose()
    {
        _replies.Tell(PoisonPill.Instance);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
            {
                pending.Promise.TrySetException(new ObjectDisposedException(nameof(RegionScorer)));
            }
        }
    }

    private void Complete(TransactionScored reply)
    {
        if (_pending.TryRemove(reply.CorrelationId, out var pending))
        {
            pending.Promise.TrySetResult(reply.Verdict);
        }
    }

    private void Skip(PartitionNotOwned reply)
    {
        if (_pending.TryRemove(reply.CorrelationId, out var pending))
        {
            pending.Promise.TrySetResult(null);
        }
    }

    private void Fail(PartitionFailed reply)
    {
        if (_pending.TryRemove(reply.CorrelationId, out var pending))
        {
            pending.Promise.TrySetException(new InvalidOperationException(reply.Reason));
        }
    }

    private void FailExpired()
    {
        var now = Environment.TickCount64;
        foreach (var (id, pending) in _pending)
        {
            if (pending.DeadlineMs <= now && _pending.TryRemove(id, out _))
            {
                pending.Promise.TrySetException(new TimeoutException(
                    $"account {pending.Account} did not answer within {_timeoutMs} ms"));
            }
        }
    }

    private readonly record struct Pending(TaskCompletionSource<Verdict?> Promise, long DeadlineMs, string Account);

    private sealed class ReplyActor : ReceiveActor, IWithTimers
    {
        private sealed record Sweep
        {
            public static readonly Sweep Instance = new();
        }

        public ReplyActor(RegionScorer scorer)
        {
            Receive<TransactionScored>(scorer.Complete);
            Receive<PartitionNotOwned>(scorer.Skip);
            Receive<PartitionFailed>(scorer.Fail);
            Receive<Sweep>(_ => scorer.FailExpired());
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, TimeSpan.FromSeconds(1));
    }
}

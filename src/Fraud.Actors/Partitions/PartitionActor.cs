using Akka.Actor;
using Akka.Event;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// The accounts of one input partition, on the node that owns the partition. Kafka keys transactions by account, so
/// every transaction of an account arrives here, in offset order, and is scored with <see cref="Scoring.Score"/>
/// against that account's <see cref="AccountState"/> (docs/decisions/0001). Its behaviours: restoring (claim the
/// partition in the checkpoint store, fencing any earlier owner, and restore its accounts, holding transactions back
/// until then), active (score, inspect, checkpoint every <see cref="AccountSettings.CheckpointInterval"/>, passivate),
/// fenced (another owner claimed it) and failed (its checkpoint cannot be read here).
/// </summary>
public sealed partial class PartitionActor : ReceiveActor, IWithTimers, IWithStash
{
    private readonly PartitionAssignment _assignment;
    private readonly PartitionContext _context;
    private readonly PartitionKey _key;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PartitionCheckpoints _checkpoints = new();
    private readonly List<IActorRef> _flushWaiters = new();
    private AccountTable _accounts = new();
    private long _epoch;

    public PartitionActor(PartitionAssignment assignment, PartitionContext context)
    {
        _assignment = assignment;
        _context = context;
        _key = new PartitionKey(context.Group, assignment.Topic, assignment.Partition);
        Restoring();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(PartitionAssignment assignment, PartitionContext context) =>
        Akka.Actor.Props.Create(() => new PartitionActor(assignment, context));

    protected override void PreStart()
    {
        _context.Durable.Begin(_key.Topic, _key.Partition);
        Claim();
    }

    protected override void PostStop() => _context.Counter.Add(-_accounts.Count);

    private void Claim() =>
        Guarded(() => _context.Store.ClaimAsync(_key)).PipeTo(Self, success: c => new Claimed(c), failure: e => new ClaimFailed(e));

    /// <summary>A store that throws instead of returning a failed task must not crash (and so re-claim) the actor.</summary>
    private static Task<T> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private void Restoring()
    {
        Receive<Claimed>(claimed =>
        {
            try
            {
                Restore(claimed.Checkpoint);
            }
            catch (UnreadableStateException e)
            {
                Fail(e.Message);
                return;
            }

            _log.Info("partition {0}: restored {1} accounts as of offset {2} (epoch {3})", _key, _accounts.Count, _checkpoints.DurableOffset, _epoch);
            var interval = _context.Accounts.CheckpointInterval;
            Timers.StartPeriodicTimer("checkpoint", Checkpoint.Instance, PartitionCheckpoints.Phase(_key.Partition, interval), interval);
            Timers.StartPeriodicTimer("passivate", Passivate.Instance, Passivation.Interval(_context.Accounts.PassivationFor(_context.Rules)));
            Become(Active);
            Stash.UnstashAll();
        });
        Receive<ClaimFailed>(failed =>
        {
            // The store is down: keep holding transactions (the stream's score timeout bounds how long) and retry.
            _log.Warning("partition {0}: cannot claim its checkpoint ({1}); retrying", _key, failed.Error.GetBaseException().Message);
            Timers.StartSingleTimer("claim", RetryClaim.Instance, TimeSpan.FromSeconds(1));
        });
        Receive<RetryClaim>(_ => Claim());
        Receive<ReleasePartition>(_ =>
        {
            // Revoked before it was restored: what waits here was never scored, and is left to the next owner.
            foreach (var held in Stash.ClearStash())
            {
                AnswerNotHere(held.Message, held.Sender);
            }

            Context.Stop(Self);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Restore(PartitionCheckpoint checkpoint)
    {
        _epoch = checkpoint.Epoch;
        var restored = PartitionRestore.Apply(checkpoint, _assignment.EndOffset, _accounts, _context.Clock.GetUtcNow().UtcTicks);
        if (restored.Reset)
        {
            _log.Warning("partition {0}: checkpoint at offset {1} is past the partition's end {2} (topic recreated?); starting its accounts empty",
                _key, checkpoint.NextOffset, _assignment.EndOffset);
        }

        if (restored.FromTheFuture > 0)
        {
            _log.Warning("partition {0}: forgot {1} remembered events dated more than {2} after this node's clock (saved before event times were capped at arrival)",
                _key, restored.FromTheFuture, PartitionRestore.FutureHorizon);
        }

        _context.Counter.Add(_accounts.Count);
        _checkpoints.Restored(restored.NextOffset, restored.Reset);
        _context.Durable.Set(_key.Topic, _key.Partition, restored.NextOffset);
    }

    private void Active()
    {
        Receive<ScoreTransactions>(Score);
        Receive<InspectAccount>(query =>
        {
            var row = _accounts.Find(query.AccountId);
            var account = row == 0 ? null : _accounts.State(row);
            Sender.Tell(new AccountInspected(query.AccountId, account?.Window() ?? [], account?.RememberedIds ?? 0, _context.Node, account is not null));
        });
        Receive<Checkpoint>(_ => Save());
        Receive<FlushCheckpoints>(_ =>
        {
            _flushWaiters.Add(Sender);
            Save();
            AnswerFlushIfDone();
        });
        Receive<Saved>(saved =>
        {
            _checkpoints.SaveCompleted(saved.NextOffset);
            _context.Durable.Set(_key.Topic, _key.Partition, saved.NextOffset);
            if (_flushWaiters.Count > 0)
            {
                Save(); // what changed while that save ran
                AnswerFlushIfDone();
            }
        });
        Receive<SaveFailed>(failed =>
        {
            _checkpoints.SaveFailed(_accounts, failed.Write);
            if (failed.Error is FencedException)
            {
                // Another node claimed this partition: it owns these accounts now. Kafka is about to revoke it here;
                // until then, records are left to the new owner.
                _log.Warning("partition {0}: {1}; leaving it to the new owner", _key, failed.Error.Message);
                Become(Fenced);
                Timers.Cancel("checkpoint");
                Timers.StartSingleTimer("fenced", FencedTooLong.Instance, _context.Accounts.FencedGrace);
                return;
            }

            // Not saved: those accounts are still changed, and the commit stays behind until a later save works.
            _log.Warning("partition {0}: checkpoint failed ({1}); will retry", _key, failed.Error.GetBaseException().Message);
        });
        Receive<Passivate>(_ =>
        {
            var horizon = _context.Clock.GetUtcNow().UtcTicks - _context.Accounts.PassivationFor(_context.Rules).Ticks;
            (_accounts, var dropped) = Passivation.DropIdle(_accounts, horizon, _checkpoints);
            _context.Counter.Add(-dropped);
        });
        Receive<ReleasePartition>(_ => Release());
    }

    /// <summary>Revoked: stop, answering the flushes that wait for a save, which may never land now.</summary>
    private void Release()
    {
        foreach (var waiter in _flushWaiters)
        {
            waiter.Tell(new Status.Failure(new InvalidOperationException($"partition {_key} was revoked before its checkpoint was saved")));
        }

        _flushWaiters.Clear();
        Context.Stop(Self);
    }

    /// <summary>What an actor that does not hold its partition's accounts (released, fenced, failed) answers.</summary>
    private void AnswerNotHere(object message, IActorRef sender)
    {
        switch (message)
        {
            case ScoreTransactions score:
                sender.Tell(new PartitionNotOwned(_key.Partition, score.CorrelationId));
                break;
            case InspectAccount query:
                sender.Tell(AccountInspected.Unknown(query.AccountId, _context.Node));
                break;
            case FlushCheckpoints:
                sender.Tell(CheckpointsFlushed.Instance); // nothing here that this actor may still save
                break;
        }
    }

    private void Fenced()
    {
        var failing = false;
        Receive<ScoreTransactions>(command => failing, command =>
            Sender.Tell(new PartitionFailed(_key.Partition, $"partition {_key} was claimed by another owner in the checkpoint store, yet Kafka still assigns it to this node after {_context.Accounts.FencedGrace.TotalSeconds:0} s: do two deployments share one checkpoint store and consumer group?", command.CorrelationId)));
        Receive<FencedTooLong>(_ =>
        {
            failing = true;
            _log.Error("partition {0}: still assigned here {1} after another owner claimed it; failing", _key, _context.Accounts.FencedGrace);
        });
        Receive<ReleasePartition>(_ => Context.Stop(Self));
        ReceiveAny(message => AnswerNotHere(message, Sender));
    }

    /// <summary>
    /// Its checkpoint cannot be read here: one reason logged and told to readiness (and to the consumer, which stops
    /// fetching the partition); its records are neither scored nor committed until a node that reads it takes over.
    /// </summary>
    private void Fail(string reason)
    {
        _log.Error("partition {0}: {1}; its records wait, uncommitted, for a node that can read its checkpoint", _key, reason);
        _context.Health.Fail(_key.Topic, _key.Partition, reason);
        Become(Failed);
        Stash.UnstashAll();
    }

    private void Failed()
    {
        Receive<ReleasePartition>(_ =>
        {
            _context.Health.Clear(_key.Topic, _key.Partition);
            Context.Stop(Self);
        });
        ReceiveAny(message => AnswerNotHere(message, Sender));
    }

    private void AnswerFlushIfDone()
    {
        if (_checkpoints.Idle)
        {
            foreach (var waiter in _flushWaiters)
            {
                waiter.Tell(CheckpointsFlushed.Instance);
            }

            _flushWaiters.Clear();
        }
    }

    private void Save()
    {
        if (_checkpoints.StartSave(_accounts) is not { } write)
        {
            return;
        }

        Task stored;
        try
        {
            stored = _context.Store.SaveAsync(_key, _epoch, write);
        }
        catch (Exception e)
        {
            stored = Task.FromException(e);
        }

        AfterSave(stored, write.NextOffset).PipeTo(Self, failure: e => new SaveFailed(e, write));
    }

    private static async Task<Saved> AfterSave(Task stored, long nextOffset)
    {
        await stored.ConfigureAwait(false);
        return new Saved(nextOffset);
    }
}

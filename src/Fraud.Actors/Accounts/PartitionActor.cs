using Akka.Actor;
using Akka.Event;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Accounts;

/// <summary>What a partition actor needs besides its partition: shared by every partition of a node.</summary>
public sealed record PartitionContext(
    string Group,
    ICheckpointStore Store,
    DurableOffsets Durable,
    RuleSettings Rules,
    AccountSettings Accounts,
    string Node,
    AccountCounter Counter,
    TimeProvider Clock);

/// <summary>
/// The accounts of one input partition, on the node that owns the partition. Kafka keys transactions by account, so
/// every transaction of an account arrives here, in offset order, and is scored with <see cref="Scoring.Score"/>
/// against that account's <see cref="AccountState"/>: no network hop, no actor to create per new account.
/// On start it claims the partition in the checkpoint store (fencing any earlier owner) and restores the accounts
/// saved there, holding transactions back until then. Every <see cref="AccountSettings.CheckpointInterval"/> it saves
/// the accounts that changed with the offset they reflect; only then may that offset be committed.
/// </summary>
public sealed class PartitionActor : ReceiveActor, IWithTimers, IWithStash
{
    private readonly PartitionAssignment _assignment;
    private readonly PartitionContext _context;
    private readonly PartitionKey _key;
    // Its accounts, as rows of one arena: no object per account for the GC to copy (see AccountTable).
    private AccountTable _accounts = new();
    // The rows of the accounts changed since the last save, each once (its Changed flag): a list, not a set of ids, so
    // that a transaction costs no hashing here and nothing young is kept until the next save. A row dropped and given
    // to a new account may be listed twice; the save takes it once (the flag is cleared at the first).
    private readonly List<int> _changed = new();
    private readonly HashSet<string> _removed = new();
    // The changed accounts of the save under way, copied out of the live rows (see Save); reused from save to save,
    // unless a burst made it larger than SnapshotKeptBytes: then the next save starts a new one, and the burst's goes.
    private AccountArena _snapshot = new();
    private const long SnapshotKeptBytes = 4 << 20;
    private ChangedRows? _saved;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _flushWaiters = new();
    private long _epoch;
    private long _nextOffset = -1;
    private long _durableOffset = -1;
    private bool _saving;
    private bool _resetPending;
    private int _failuresLogged;
    // A few stack traces are worth logging; a flood of one bug is counted in the dead-letter metric instead.
    private const int MaxFailuresLogged = 10;
    // Events can only be this far ahead of the clock when a checkpoint was written before event times were capped.
    private static readonly TimeSpan FutureHorizon = TimeSpan.FromHours(1);

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
            var checkpoint = claimed.Checkpoint;
            _epoch = checkpoint.Epoch;
            if (_assignment.EndOffset >= 0 && checkpoint.NextOffset > _assignment.EndOffset)
            {
                // The partition ends before the checkpoint: the topic was recreated since (or the store belongs to
                // another Kafka cluster). Its accounts describe other traffic: start empty, and drop them at the first save.
                _log.Warning("partition {0}: checkpoint at offset {1} is past the partition's end {2} (topic recreated?); starting its accounts empty",
                    _key, checkpoint.NextOffset, _assignment.EndOffset);
                checkpoint = checkpoint with { NextOffset = -1, Accounts = new Dictionary<string, byte[]>() };
                _resetPending = true;
            }

            var now = _context.Clock.GetUtcNow().UtcTicks;
            var fromTheFuture = 0;
            foreach (var (account, bytes) in checkpoint.Accounts)
            {
                var row = _accounts.Add(account);
                var state = _accounts.State(row);
                AccountStateCodec.ReadInto(bytes, state);
                fromTheFuture += state.ForgetEventsAfter(now + FutureHorizon.Ticks);
                _accounts.LastSeenTicks(row) = now;
            }

            if (fromTheFuture > 0)
            {
                _log.Warning("partition {0}: forgot {1} remembered events dated more than {2} after this node's clock (saved before event times were capped at arrival)",
                    _key, fromTheFuture, FutureHorizon);
            }

            _context.Counter.Add(_accounts.Count);
            _durableOffset = _nextOffset = checkpoint.NextOffset;
            _context.Durable.Set(_key.Topic, _key.Partition, _durableOffset);
            _log.Info("partition {0}: restored {1} accounts as of offset {2} (epoch {3})", _key, _accounts.Count, _durableOffset, _epoch);
            StartCheckpoints();
            var passivation = _context.Accounts.PassivationFor(_context.Rules);
            Timers.StartPeriodicTimer("passivate", Passivate.Instance, passivation < TimeSpan.FromMinutes(2) ? passivation / 2 : TimeSpan.FromMinutes(1));
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
            _saving = false;
            _saved?.Close();
            _durableOffset = saved.NextOffset;
            _context.Durable.Set(_key.Topic, _key.Partition, saved.NextOffset);
            if (_flushWaiters.Count > 0)
            {
                Save(); // what changed while that save ran
                AnswerFlushIfDone();
            }
        });
        Receive<SaveFailed>(failed =>
        {
            _saving = false;
            _saved?.Close();
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

            // Not saved: those accounts are still changed, and the commit stays behind until a later save works. The
            // save knew them by row, and rows may have gone to other accounts since: every account held is saved
            // again (more than needed, and only after a failure). An account dropped since is in _removed already.
            foreach (var row in _accounts.Rows())
            {
                MarkChanged(row);
            }

            foreach (var id in failed.Removed)
            {
                if (_accounts.Find(id) == 0)
                {
                    _removed.Add(id);
                }
            }

            _resetPending |= failed.Reset;
            _log.Warning("partition {0}: checkpoint failed ({1}); will retry", _key, failed.Error.GetBaseException().Message);
        });
        Receive<Passivate>(_ => DropIdleAccounts());
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

    /// <summary>What an actor that does not hold its partition's accounts (released, or fenced) answers.</summary>
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

    private void Score(ScoreTransactions command)
    {
        if (command.Generation != _assignment.Generation)
        {
            Sender.Tell(new PartitionNotOwned(_key.Partition, command.CorrelationId));
            return;
        }

        var now = _context.Clock.GetUtcNow();
        var verdicts = new Verdict?[command.Transactions.Count];
        string?[]? failures = null;
        for (var i = 0; i < verdicts.Length; i++)
        {
            try
            {
                verdicts[i] = Score(command.Transactions[i], now);
            }
            catch (Exception e)
            {
                // One record must not stop its partition: it becomes a dead letter, and the others are scored.
                (failures ??= new string?[verdicts.Length])[i] = $"{e.GetType().FullName}: {e.Message}";
                if (_failuresLogged++ < MaxFailuresLogged)
                {
                    _log.Error(e, "partition {0}: scoring offset {1} threw; the record goes to the dead-letter topic", _key, command.Offsets[i]);
                }
            }

            _nextOffset = Math.Max(_nextOffset, command.Offsets[i] + 1);
        }

        // Before the reply: the committer reads it once the outputs are acknowledged (see DurableOffsets.CommitLimit).
        _context.Durable.Scored(_key.Topic, _key.Partition, _nextOffset);
        Sender.Tell(new TransactionsScored(verdicts, command.CorrelationId, failures));
    }

    private Verdict Score(Transaction tx, DateTimeOffset now)
    {
        var row = _accounts.FindOrAdd(tx.Source, out var added);
        if (added)
        {
            _context.Counter.Add(1);
            if (_removed.Count > 0)
            {
                _removed.Remove(tx.Source); // dropped earlier, back before that was saved
            }
        }

        _accounts.LastSeenTicks(row) = now.UtcTicks;
        MarkChanged(row);
        return Scoring.Score(_accounts.State(row), tx, _context.Rules, now, _context.Node);
    }

    private void MarkChanged(int row)
    {
        ref var changed = ref _accounts.Changed(row);
        if (!changed)
        {
            changed = true;
            _changed.Add(row);
        }
    }

    /// <summary>
    /// Saves every <see cref="AccountSettings.CheckpointInterval"/>, the first one a fraction of it later that depends on
    /// the partition: a node's partitions start together (on assignment), and in step they all saved in the same few
    /// milliseconds, so the store's thread got a second's changed accounts at once and took a core from the records for
    /// that long, every second. Spread by the golden ratio, any number of partitions start about evenly apart.
    /// </summary>
    private void StartCheckpoints()
    {
        var interval = _context.Accounts.CheckpointInterval;
        Timers.StartPeriodicTimer("checkpoint", Checkpoint.Instance, CheckpointPhase(_key.Partition, interval), interval);
    }

    /// <summary>When a partition's first save comes, in [0, <paramref name="interval"/>).</summary>
    internal static TimeSpan CheckpointPhase(int partition, TimeSpan interval)
    {
        const double goldenFraction = 0.6180339887498949;
        var fraction = (partition * goldenFraction) % 1.0;
        return TimeSpan.FromTicks((long)(interval.Ticks * fraction));
    }

    private bool NothingToSave => _changed.Count == 0 && _removed.Count == 0 && _nextOffset == _durableOffset && !_resetPending;

    private void AnswerFlushIfDone()
    {
        if (!_saving && NothingToSave)
        {
            foreach (var waiter in _flushWaiters)
            {
                waiter.Tell(CheckpointsFlushed.Instance);
            }

            _flushWaiters.Clear();
        }
    }

    // Optimized from its first call: it runs once per checkpoint interval, not per record, so tiered compilation took
    // tens of seconds of checkpoints to optimize its loop over thousands of accounts (a profile of the actor-layer bench
    // found it in the instrumented tier, ~5 % of the samples).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Save()
    {
        if (_saving || NothingToSave)
        {
            return;
        }

        // The snapshot is taken here, on the actor's thread, so it is exactly the state after every record before
        // _nextOffset: the changed accounts' rows and blocks are copied into a scratch arena (a memory copy of a few
        // hundred bytes each), and the store encodes them from there, on its own thread, while the actor goes on
        // scoring. Encoding them here held the partition up 3.7 ms a save at the median and 12 ms at the 90th percentile
        // (40,000 msg/s, 12 partitions, 2026-12-01): every group of records with one of its records waited that long,
        // and the groups behind it too. Neither the copy nor the encoding makes a string or an array per account.
        if (_snapshot.Bytes > SnapshotKeptBytes)
        {
            _snapshot = new AccountArena();
        }
        else
        {
            _snapshot.Clear();
        }
        var rows = new List<int>(_changed.Count);
        foreach (var row in _changed)
        {
            ref var isChanged = ref _accounts.Changed(row);
            if (isChanged) // not if dropped since it changed (nor if listed twice)
            {
                isChanged = false;
                var copy = _snapshot.RentRow();
                AccountState.CopyRow(_accounts.Arena, row, _snapshot, copy);
                rows.Add(copy);
            }
        }

        var changed = _saved = new ChangedRows(_snapshot, rows);

        var removed = _removed.ToList();
        _changed.Clear();
        _removed.Clear();
        _saving = true;
        var nextOffset = _nextOffset;
        var reset = _resetPending;
        _resetPending = false;
        // A failure needs only the removals: the accounts are all saved again (see SaveFailed).
        Task stored;
        try
        {
            stored = _context.Store.SaveAsync(_key, _epoch, new CheckpointWrite(nextOffset, changed, removed, reset));
        }
        catch (Exception e)
        {
            stored = Task.FromException(e);
        }

        AfterSave(stored, nextOffset).PipeTo(Self, failure: e => new SaveFailed(e, removed, reset));
    }

    private static async Task<Saved> AfterSave(Task stored, long nextOffset)
    {
        await stored.ConfigureAwait(false);
        return new Saved(nextOffset);
    }

    private void DropIdleAccounts()
    {
        var horizon = _context.Clock.GetUtcNow().UtcTicks - _context.Accounts.PassivationFor(_context.Rules).Ticks;
        var dropped = 0;
        foreach (var row in _accounts.Rows())
        {
            if (_accounts.LastSeenTicks(row) < horizon)
            {
                _removed.Add(_accounts.IdOf(row));
                _accounts.Remove(row); // its row and blocks go to the next new account; a save skips it (cleared)
                dropped++;
            }
        }

        _context.Counter.Add(-dropped);
        if (_accounts.Arena.MostlyFree)
        {
            // Most accounts went idle (a burst of new ones has passed): the arena's arrays are sized for the peak.
            // Moving the rest into a new one lets those go; it costs a copy of what is still held, once per such drop.
            // Their rows change, so the changed ones are listed again by their new rows.
            _accounts = _accounts.Compacted();
            _changed.Clear();
            foreach (var row in _accounts.Rows())
            {
                if (_accounts.Changed(row))
                {
                    _changed.Add(row);
                }
            }
        }
    }

    private sealed record Claimed(PartitionCheckpoint Checkpoint);

    private sealed record ClaimFailed(Exception Error);

    private sealed record RetryClaim
    {
        public static readonly RetryClaim Instance = new();
    }

    private sealed record Checkpoint
    {
        public static readonly Checkpoint Instance = new();
    }

    private sealed record Passivate
    {
        public static readonly Passivate Instance = new();
    }

    private sealed record FencedTooLong
    {
        public static readonly FencedTooLong Instance = new();
    }

    private sealed record Saved(long NextOffset);

    /// <summary>The save that failed, whose accounts are still to be saved.</summary>
    private sealed record SaveFailed(Exception Error, IReadOnlyList<string> Removed, bool Reset);

    /// <summary>
    /// A save's changed accounts: rows of the partition's snapshot arena, encoded as the store reads them (on its own
    /// thread) until the save completes; the next save fills the arena again.
    /// </summary>
    private sealed class ChangedRows(AccountArena snapshot, List<int> rows) : ChangedAccounts
    {
        private volatile bool _closed;

        public override int Count => rows.Count;

        public override void ForEach(ChangedAccountVisitor visit)
        {
            var scratch = new byte[256];
            var state = new AccountState(snapshot, 0);
            foreach (var row in rows)
            {
                if (_closed)
                {
                    throw new InvalidOperationException("a checkpoint's changed accounts were read after their save completed; a store must read them before");
                }

                state.Bind(snapshot, row);
                visit(snapshot.IdUtf8(row, ref scratch), AccountStateCodec.Encode(state));
            }
        }

        /// <summary>The save completed (or failed): the snapshot is the next save's to fill.</summary>
        public void Close() => _closed = true;
    }
}

/// <summary>Accounts held in memory on this node, across its partitions (for the dashboard and the metrics).</summary>
public sealed class AccountCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add(long delta) => Interlocked.Add(ref _count, delta);
}

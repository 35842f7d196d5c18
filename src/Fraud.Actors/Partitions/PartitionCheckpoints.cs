using Fraud.Actors.Checkpoints;
using Fraud.Actors.State;

namespace Fraud.Actors.Partitions;

/// <summary>
/// A partition's checkpoint bookkeeping, on its actor's thread: which accounts changed since the last save, which were
/// dropped, the offset the accounts reflect, and the save under way. A save is a snapshot of the changed accounts taken
/// here, exactly as of <see cref="NextOffset"/>, which the store encodes on its own thread while the partition goes on
/// scoring; that offset becomes durable (and committable) once the store says so.
/// </summary>
public sealed class PartitionCheckpoints
{
    // The rows changed since the last save, each once (its Changed flag): a list, not a set of ids, so that a transaction
    // costs no hashing here. A row dropped and given to a new account may be listed twice; a save takes it once.
    private readonly List<int> _changed = new();
    private readonly HashSet<string> _removed = new();
    // Reused from save to save, unless a burst made it larger than SnapshotKeptBytes: then the burst's goes.
    private AccountArena _snapshot = new();
    private const long SnapshotKeptBytes = 4 << 20;
    private ChangedRows? _saved;
    private bool _resetPending;

    /// <summary>The offset after the last record scored: what the next save reflects.</summary>
    public long NextOffset { get; private set; } = -1;

    /// <summary>The offset the last durable save (or the restore) reflects.</summary>
    public long DurableOffset { get; private set; } = -1;

    /// <summary>A save is with the store.</summary>
    public bool Saving { get; private set; }

    /// <summary>Nothing to save and no save under way: every account held is durable as of <see cref="NextOffset"/>.</summary>
    public bool Idle => !Saving && NothingToSave;

    private bool NothingToSave => _changed.Count == 0 && _removed.Count == 0 && NextOffset == DurableOffset && !_resetPending;

    /// <summary>Restored as of <paramref name="nextOffset"/>; with <paramref name="reset"/>, the first save drops every account saved before.</summary>
    public void Restored(long nextOffset, bool reset)
    {
        NextOffset = DurableOffset = nextOffset;
        _resetPending = reset;
    }

    /// <summary>The record at <paramref name="offset"/> was scored.</summary>
    public void Scored(long offset) => NextOffset = Math.Max(NextOffset, offset + 1);

    /// <summary>The account in <paramref name="row"/> changed.</summary>
    public void Changed(AccountTable accounts, int row)
    {
        ref var changed = ref accounts.Changed(row);
        if (!changed)
        {
            changed = true;
            _changed.Add(row);
        }
    }

    /// <summary>The account <paramref name="id"/> is held again (added back before its removal was saved).</summary>
    public void Added(string id)
    {
        if (_removed.Count > 0)
        {
            _removed.Remove(id);
        }
    }

    /// <summary>The account <paramref name="id"/> was dropped: the next save removes it.</summary>
    public void Removed(string id) => _removed.Add(id);

    /// <summary>The accounts moved to new rows (a compacted table): the changed ones are listed by their new rows.</summary>
    public void RowsMoved(AccountTable accounts)
    {
        _changed.Clear();
        foreach (var row in accounts.Rows())
        {
            if (accounts.Changed(row))
            {
                _changed.Add(row);
            }
        }
    }

    // Optimized from its first call: it runs once per interval, not per record, and tiering would take many intervals
    // to optimize its loop over thousands of accounts.

    /// <summary>
    /// The next save's write, with the changed accounts copied out of the live rows, or null when a save is under way
    /// or there is nothing to save. The accounts are readable until <see cref="SaveCompleted"/> or <see cref="SaveFailed"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public CheckpointWrite? StartSave(AccountTable accounts)
    {
        if (Saving || NothingToSave)
        {
            return null;
        }

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
            ref var isChanged = ref accounts.Changed(row);
            if (isChanged) // not if dropped since it changed (nor if listed twice)
            {
                isChanged = false;
                var copy = _snapshot.RentRow();
                AccountState.CopyRow(accounts.Arena, row, _snapshot, copy);
                rows.Add(copy);
            }
        }

        _saved = new ChangedRows(_snapshot, rows);
        var write = new CheckpointWrite(NextOffset, _saved, _removed.ToList(), _resetPending);
        _changed.Clear();
        _removed.Clear();
        _resetPending = false;
        Saving = true;
        return write;
    }

    /// <summary>The save of <paramref name="nextOffset"/> is durable.</summary>
    public void SaveCompleted(long nextOffset)
    {
        Saving = false;
        _saved?.Close();
        DurableOffset = nextOffset;
    }

    /// <summary>
    /// The save of <paramref name="write"/> failed: its accounts are still to be saved. It knew them by row, and rows may
    /// have gone to other accounts since, so every account held is saved again (only after a failure); an account
    /// dropped since is in the removals already.
    /// </summary>
    public void SaveFailed(AccountTable accounts, CheckpointWrite write)
    {
        Saving = false;
        _saved?.Close();
        foreach (var row in accounts.Rows())
        {
            Changed(accounts, row);
        }

        foreach (var id in write.Removed)
        {
            if (accounts.Find(id) == 0)
            {
                _removed.Add(id);
            }
        }

        _resetPending |= write.Reset;
    }

    /// <summary>When a partition's first save comes, in [0, <paramref name="interval"/>): a node's partitions start
    /// together, and spread by the golden ratio any number of them save about evenly apart instead of at once.</summary>
    public static TimeSpan Phase(int partition, TimeSpan interval)
    {
        const double goldenFraction = 0.6180339887498949;
        var fraction = (partition * goldenFraction) % 1.0;
        return TimeSpan.FromTicks((long)(interval.Ticks * fraction));
    }

    /// <summary>
    /// A save's changed accounts: rows of the snapshot arena, encoded as the store reads them (on its own thread) until
    /// the save completes; the next save fills the arena again.
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

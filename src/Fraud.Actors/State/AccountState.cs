using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// One account's bounded history: its recent events in event-time order and the verdicts of its recent transaction
/// ids. The rules read it through <see cref="View"/> and change it with <see cref="Record"/> and <see cref="Remember"/>;
/// how it is stored (a row of an <see cref="AccountArena"/>, blocks that move as they grow) stays in this folder.
/// Owned by one actor at a time.
/// </summary>
/// <remarks>
/// This object is a handle on a row: a state made with <c>new</c> has a row of its own, while a partition's
/// <see cref="AccountTable"/> keeps its accounts as rows only and points one reusable handle at the account being
/// scored, so an account costs no object (docs/decisions/0003).
/// </remarks>
public sealed class AccountState
{
    /// <summary>A state in a row of <paramref name="arena"/>, used by one owner at a time.</summary>
    public AccountState(AccountArena arena)
        : this(arena, arena.RentRow())
    {
    }

    /// <summary>A state with an arena of its own (tests, one-offs; many states should share their owner's).</summary>
    public AccountState()
        : this(new AccountArena())
    {
    }

    internal AccountState(AccountArena arena, int row)
    {
        Arena = arena;
        Row = row;
    }

    public AccountArena Arena { get; private set; }

    /// <summary>The state's row in <see cref="Arena"/>.</summary>
    internal int Row { get; private set; }

    // Refs into the arena's rows, taken afresh at each use: the rows' array is replaced when it grows.
    private ref AccountRow Data => ref Arena.Rows[Row];

    internal ref EventWindow Events => ref Data.Events;

    // Ids as 64-bit hashes and verdicts as values: two of an account's last ids collide with a probability of ~10⁻¹⁶.
    internal ref RememberedVerdicts Verdicts => ref Data.Verdicts;

    /// <summary>What the rules read: the events, oldest first, and the newest event time (valid until the state changes).</summary>
    internal AccountView View => new(EventSpan, NewestTicks);

    /// <summary>Newest event time seen (the account's watermark is this minus the allowed lateness).</summary>
    public DateTimeOffset? NewestTimestamp
    {
        get => NewestTicks == 0 ? null : new DateTimeOffset(NewestTicks, TimeSpan.Zero);
        internal set => NewestTicks = value?.UtcTicks ?? 0;
    }

    // UTC ticks, 0 for none (the year 1).
    internal ref long NewestTicks => ref Data.NewestTicks;

    public int EventCount => Data.Events.Count;

    public int RememberedIds => Data.Verdicts.Count;

    /// <summary>The events, oldest first (valid until the arena's next rent: read them, then change the state).</summary>
    internal ReadOnlySpan<AccountEvent> EventSpan => Data.Events.AsSpan(Arena.Events);

    /// <summary>The verdict first given to the transaction whose id hashes to <paramref name="idHash"/>, if it is remembered.</summary>
    public bool TryRecall(ulong idHash, out Verdict verdict)
    {
        if (Verdicts.TryGet(Arena, Row, idHash, out var remembered))
        {
            verdict = remembered.ToVerdict();
            return true;
        }

        verdict = null!;
        return false;
    }

    /// <summary>
    /// Adds an event in its place in event time, then forgets what is older than <paramref name="retentionTicks"/> behind
    /// the newest event and what exceeds <paramref name="maxEvents"/>, oldest first.
    /// </summary>
    internal void Record(AccountEvent entry, long retentionTicks, int maxEvents)
    {
        var events = EventSpan;
        var index = events.Length;
        while (index > 0 && events[index - 1].Ticks > entry.Ticks)
        {
            index--; // out of order within the lateness: its place in event time
        }

        Events.Insert(Arena.Events, index, entry);
        if (NewestTicks == 0 || entry.Ticks > NewestTicks)
        {
            NewestTicks = entry.Ticks;
        }

        var horizon = NewestTicks - retentionTicks;
        events = EventSpan; // the insert may have moved the events
        var expired = 0;
        while (expired < events.Length && (events[expired].Ticks < horizon || events.Length - expired > maxEvents))
        {
            expired++;
        }

        if (expired > 0)
        {
            Events.RemoveOldest(Arena.Events, expired);
        }
    }

    /// <summary>Remembers <paramref name="verdict"/> for its transaction, forgetting the oldest beyond <paramref name="limit"/>.</summary>
    public void Remember(ulong idHash, Verdict verdict, int limit) =>
        Verdicts.Add(Arena, Row, RememberedVerdict.Of(idHash, verdict), limit);

    /// <summary>
    /// Forgets the events dated after <paramref name="ticks"/>, and lowers the newest time to what is left: for state
    /// restored from before event times were capped (see <see cref="Transactions.EventTime"/>). How many it forgot.
    /// </summary>
    internal int ForgetEventsAfter(long ticks)
    {
        if (NewestTicks <= ticks)
        {
            return 0;
        }

        var events = EventSpan;
        var keep = events.Length;
        while (keep > 0 && events[keep - 1].Ticks > ticks)
        {
            keep--;
        }

        var forgotten = events.Length - keep;
        Events.RemoveNewest(Arena.Events, forgotten);
        NewestTicks = keep == 0 ? 0 : EventSpan[keep - 1].Ticks;
        return forgotten;
    }

    /// <summary>Points this handle at another row (a table's one handle, moved to the account being scored).</summary>
    internal void Bind(AccountArena arena, int row)
    {
        Arena = arena;
        Row = row;
    }

    /// <summary>Moves the state into a new row of <paramref name="arena"/>, which it uses from then on.</summary>
    public void MoveTo(AccountArena arena)
    {
        var row = arena.RentRow();
        CopyRow(Arena, Row, arena, row);
        Arena.WithRules.Remove(Row);
        Arena.ReturnRow(Row); // its blocks are left to go with the old arena
        Bind(arena, row);
    }

    /// <summary>
    /// Copies row <paramref name="fromRow"/> of <paramref name="from"/> into <paramref name="toRow"/> of <paramref name="to"/>,
    /// with its blocks; the original is left unchanged (to move, drop it after; to snapshot, go on with it).
    /// </summary>
    internal static void CopyRow(AccountArena from, int fromRow, AccountArena to, int toRow)
    {
        var data = from.Rows[fromRow];
        data.Events.CopyTo(from.Events, to.Events);
        data.Verdicts.CopyTo(from, fromRow, to, toRow);
        to.Rows[toRow] = data;
        to.CopyKey(from, fromRow, toRow);
    }

    /// <summary>
    /// Gives the state's blocks and row back to its arena, for the next new account: for an account its owner drops.
    /// The handle must not be used after.
    /// </summary>
    public void Release() => Release(Arena, Row);

    internal static void Release(AccountArena arena, int row)
    {
        ref var data = ref arena.Rows[row];
        data.Events.Release(arena.Events);
        data.Verdicts.Release(arena, row);
        arena.Keys.Return(data.Key);
        arena.ReturnRow(row);
    }

    /// <summary>A copy of the remembered transactions, oldest first (for inspection; the rules read the window itself).</summary>
    public IReadOnlyList<WindowEntry> Window()
    {
        var events = EventSpan;
        var window = new WindowEntry[events.Length];
        for (var i = 0; i < window.Length; i++)
        {
            var e = events[i];
            window[i] = new WindowEntry(new DateTimeOffset(e.Ticks, TimeSpan.Zero), e.Amount, e.Country, e.Currency);
        }

        return window;
    }
}

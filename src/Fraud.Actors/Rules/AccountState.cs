namespace Fraud.Actors.Rules;

/// <summary>
/// What one account's rules need to remember, and nothing more: its recent transactions in event-time order (time,
/// amount, country) within <see cref="RuleSettings.Retention"/>, and the verdicts of its recent transaction ids.
/// Bounded twice: by time behind the newest event, and by <see cref="RuleSettings.MaxEventsPerAccount"/>.
/// Owned by one actor; <see cref="Scoring"/> reads and updates it.
/// </summary>
/// <remarks>
/// The state itself is a row of its arena (<see cref="AccountRow"/>), and this object a handle on it: a state made with
/// <c>new</c> has a row of its own, while a partition's <see cref="Accounts.AccountTable"/> keeps its accounts as rows only and
/// points one reusable handle at the account being scored. Why: a node makes thousands of new accounts a second and keeps
/// each for the rules' hour, and an object per account (and its id string) was what young collections still copied once
/// the events and verdicts had moved into blocks: at 40,000 msg/s they were 60 % of gen1 (10,581 states and ~14,000
/// strings in one heap dump, 2026-12-01, bench/RESULTS.md §11).
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

    // Refs into the arena's rows, taken afresh at each use: the rows' array is replaced when it grows. Calls on the
    // structs change the row itself, never a copy.
    private ref AccountRow Data => ref Arena.Rows[Row];

    internal ref EventWindow Events => ref Data.Events;

    // Ids are remembered by a 64-bit hash, not as strings: a 36-character id costs ~100 B, its hash 8. Two of an
    // account's last ids colliding has a probability of about 64² / 2⁶⁵ ≈ 10⁻¹⁶.
    // Verdicts are remembered as values, not as the Verdict objects handed out: an object kept per transaction outlives
    // the young generation, so each one was promoted and traced again by the GC (in a loop scoring 10,000 accounts, GC
    // pauses were half the time). A legit verdict is four fields, rebuilt equal on a duplicate.
    internal ref RememberedVerdicts Verdicts => ref Data.Verdicts;

    /// <summary>Newest event time seen (the account's watermark is this minus the allowed lateness).</summary>
    public DateTimeOffset? NewestTimestamp
    {
        get => NewestTicks == 0 ? null : new DateTimeOffset(NewestTicks, TimeSpan.Zero);
        internal set => NewestTicks = value?.UtcTicks ?? 0;
    }

    // UTC ticks, 0 for none (the year 1): 8 bytes an account where a nullable DateTimeOffset took 24.
    internal ref long NewestTicks => ref Data.NewestTicks;

    public int EventCount => Data.Events.Count;

    public int RememberedIds => Data.Verdicts.Count;

    /// <summary>The events, oldest first (valid until the arena's next rent: read them, then change the state).</summary>
    internal ReadOnlySpan<AccountEvent> EventSpan => Data.Events.AsSpan(Arena.Events);

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
            window[i] = new WindowEntry(new DateTimeOffset(e.Ticks, TimeSpan.Zero), e.Amount, e.Country);
        }

        return window;
    }
}

/// <summary>One transaction as an account's windows remember it.</summary>
public sealed record WindowEntry(DateTimeOffset Timestamp, decimal Amount, string? Country);

/// <summary>A stable 64-bit FNV-1a hash of a transaction id (string.GetHashCode is 32-bit and randomized).</summary>
internal static class TransactionIdHash
{
    public static ulong Of(string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>
/// A verdict as an account remembers it: a legit one (the common case) as its time, node and lateness, with no object of
/// its own; one with rules as the very object first returned (they are rare, and their explanation is worth keeping whole).
/// </summary>
internal readonly record struct RememberedVerdict(ulong Id, long DetectedAtTicks, string Node, bool Late, Verdict? WithRules)
{
    public static RememberedVerdict Of(ulong id, Verdict verdict) =>
        new(id, verdict.DetectedAt.UtcTicks, verdict.DetectorNode, verdict.Late, verdict.Rules.Count > 0 ? verdict : null);

    /// <summary>The verdict first returned, equal in every field (the same object when it had rules).</summary>
    public Verdict ToVerdict() =>
        WithRules ?? new Verdict(0, Array.Empty<RuleHit>(), new DateTimeOffset(DetectedAtTicks, TimeSpan.Zero), Node, Late);
}

/// <summary>
/// One remembered transaction; a small struct so windows cost no allocation per entry. Its country is kept as the
/// country's number (<see cref="Countries.Number"/>), not the string: the window's array then holds no reference.
/// </summary>
internal readonly record struct AccountEvent(long Ticks, decimal Amount, ushort CountryNumber)
{
    public AccountEvent(long ticks, decimal amount, string? country)
        : this(ticks, amount, Countries.Number(country))
    {
    }

    public string? Country => Countries.CodeOf(CountryNumber);
}

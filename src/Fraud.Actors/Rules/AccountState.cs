namespace Fraud.Actors.Rules;

/// <summary>
/// What one account's rules need to remember, and nothing more: its recent transactions in event-time order (time,
/// amount, country) within <see cref="RuleSettings.Retention"/>, and the verdicts of its recent transaction ids.
/// Bounded twice: by time behind the newest event, and by <see cref="RuleSettings.MaxEventsPerAccount"/>.
/// Owned by one actor; <see cref="Scoring"/> reads and updates it.
/// </summary>
public sealed class AccountState
{
    // Inline structs in plain (not readonly) fields: calls on them change these fields, never a copy. Their items live
    // in blocks of the owner's arena (no references, not copied by young collections, see BlockPool), so this object is
    // the only part of an account's rules' state that the GC copies.
    internal EventWindow Events;
    // Ids are remembered by a 64-bit hash, not as strings: a 36-character id costs ~100 B, its hash 8. Two of an
    // account's last ids colliding has a probability of about 64² / 2⁶⁵ ≈ 10⁻¹⁶.
    // Verdicts are remembered as values, not as the Verdict objects handed out: an object kept per transaction outlives
    // the young generation, so each one was promoted and traced again by the GC (in a loop scoring 10,000 accounts, GC
    // pauses were half the time). A legit verdict is four fields, rebuilt equal on a duplicate.
    internal RememberedVerdicts Verdicts;

    // What the partition actor that holds this state keeps with it (it needs no object of its own per account: each
    // object an account has is one more the GC copies twice).
    internal string? OwnerKey;
    internal long LastSeenTicks;
    internal bool Changed;

    /// <summary>A state whose events and verdicts live in <paramref name="arena"/>, used by one owner at a time.</summary>
    public AccountState(AccountArena arena) => Arena = arena;

    /// <summary>A state with an arena of its own (tests, one-offs; many states should share their owner's).</summary>
    public AccountState()
        : this(new AccountArena())
    {
    }

    public AccountArena Arena { get; private set; }

    /// <summary>Newest event time seen (the account's watermark is this minus the allowed lateness).</summary>
    public DateTimeOffset? NewestTimestamp
    {
        get => NewestTicks == 0 ? null : new DateTimeOffset(NewestTicks, TimeSpan.Zero);
        internal set => NewestTicks = value?.UtcTicks ?? 0;
    }

    // UTC ticks, 0 for none (the year 1): 8 bytes an account where a nullable DateTimeOffset took 24.
    internal long NewestTicks;

    public int EventCount => Events.Count;

    public int RememberedIds => Verdicts.Count;

    /// <summary>The events, oldest first (valid until the arena's next rent: read them, then change the state).</summary>
    internal ReadOnlySpan<AccountEvent> EventSpan => Events.AsSpan(Arena.Events);

    /// <summary>Moves the state's events and verdicts into <paramref name="arena"/>, which it uses from then on.</summary>
    public void MoveTo(AccountArena arena)
    {
        Events.MoveTo(Arena.Events, arena.Events);
        Verdicts.MoveTo(Arena, arena);
        Arena = arena;
    }

    /// <summary>Gives the state's blocks back to its arena: for an account its owner drops. The state is empty after.</summary>
    public void Release()
    {
        Events.Release(Arena.Events);
        Verdicts.Release(Arena);
        NewestTicks = 0;
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

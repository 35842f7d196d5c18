namespace Fraud.Actors.Rules;

/// <summary>
/// An account's remembered transactions in event-time order: an array and a count, as a struct kept inline in
/// <see cref="AccountState"/> (mutable: the state holds it in a plain field and calls it there, never through a copy).
/// What a <c>List</c> did, without the list's own object per account.
/// </summary>
internal struct EventWindow
{
    // An account's first array holds two (was four), a choice for card traffic, where most accounts pay once or twice
    // within the rules' hour of retention: every new account's arrays outlive the young generation, so the GC copies
    // each of them twice, and a smaller first array is less to copy. Busier accounts grow by doubling.
    internal const int FirstCapacity = 2;

    private AccountEvent[]? _events;
    private int _count;

    public readonly int Count => _count;

    public readonly AccountEvent this[int index] => _events![index];

    /// <summary>The events, oldest first, to read in a loop with no allocation.</summary>
    public readonly ReadOnlySpan<AccountEvent> AsSpan() => _events.AsSpan(0, _count);

    public void Add(AccountEvent entry) => Insert(_count, entry);

    /// <summary>Inserts at <paramref name="index"/> (0 to <see cref="Count"/>), moving later events one place on.</summary>
    public void Insert(int index, AccountEvent entry)
    {
        if (_events is null || _count == _events.Length)
        {
            var grown = new AccountEvent[Math.Max(FirstCapacity, (_events?.Length ?? 0) * 2)];
            _events?.AsSpan(0, _count).CopyTo(grown);
            _events = grown;
        }

        _events.AsSpan(index, _count - index).CopyTo(_events.AsSpan(index + 1));
        _events[index] = entry;
        _count++;
    }

    /// <summary>Forgets the <paramref name="count"/> oldest events.</summary>
    public void RemoveOldest(int count)
    {
        _events.AsSpan(count, _count - count).CopyTo(_events);
        _events.AsSpan(_count - count, count).Clear();
        _count -= count;
    }
}

namespace Fraud.Actors.State;

/// <summary>
/// An account's remembered transactions in event-time order: a block of its owner's <see cref="AccountArena"/> and a
/// count, as a struct kept inline in <see cref="AccountState"/> (mutable: the state holds it in a plain field and calls
/// it there, never through a copy). What a <c>List</c> did, without the list's own object or array per account.
/// </summary>
internal struct EventWindow
{
    // Two: in card traffic most accounts pay once or twice within the rules' retention. Busier ones grow by doubling.
    internal const int FirstCapacity = 2;

    private int _block;
    private int _count;

    public readonly int Count => _count;

    /// <summary>The events, oldest first, to read in a loop with no allocation (valid until the pool's next rent).</summary>
    public readonly ReadOnlySpan<AccountEvent> AsSpan(BlockPool<AccountEvent> pool) =>
        _block == 0 ? default : pool.Span(_block)[.._count];

    public void Add(BlockPool<AccountEvent> pool, AccountEvent entry) => Insert(pool, _count, entry);

    /// <summary>Inserts at <paramref name="index"/> (0 to <see cref="Count"/>), moving later events one place on.</summary>
    public void Insert(BlockPool<AccountEvent> pool, int index, AccountEvent entry)
    {
        var capacity = _block == 0 ? 0 : BlockPool<AccountEvent>.LengthOf(_block);
        if (_count == capacity)
        {
            var grown = pool.Rent(Math.Max(FirstCapacity, capacity * 2));
            if (_block != 0)
            {
                pool.Span(_block)[.._count].CopyTo(pool.Span(grown)); // after the rent: it may have moved the items
                pool.Return(_block);
            }

            _block = grown;
        }

        var events = pool.Span(_block);
        events[index.._count].CopyTo(events[(index + 1)..]);
        events[index] = entry;
        _count++;
    }

    /// <summary>Forgets the <paramref name="count"/> oldest events.</summary>
    public void RemoveOldest(BlockPool<AccountEvent> pool, int count)
    {
        var events = pool.Span(_block);
        events[count.._count].CopyTo(events); // no references in events: nothing to clear behind
        _count -= count;
    }

    /// <summary>Forgets the <paramref name="count"/> newest events.</summary>
    public void RemoveNewest(BlockPool<AccountEvent> pool, int count) => _count -= Math.Min(count, _count);

    /// <summary>Copies the events into a block of <paramref name="to"/> (the block of <paramref name="from"/> is left to go with it).</summary>
    public void CopyTo(BlockPool<AccountEvent> from, BlockPool<AccountEvent> to)
    {
        if (_block == 0)
        {
            return;
        }

        var moved = to.Rent(BlockPool<AccountEvent>.LengthOf(_block));
        from.Span(_block)[.._count].CopyTo(to.Span(moved));
        _block = moved;
    }

    /// <summary>Gives the block back to the pool; the window is empty after.</summary>
    public void Release(BlockPool<AccountEvent> pool)
    {
        pool.Return(_block);
        _block = 0;
        _count = 0;
    }
}

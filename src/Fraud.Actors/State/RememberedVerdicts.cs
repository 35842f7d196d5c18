using Fraud.Actors.Rules;
namespace Fraud.Actors.State;

/// <summary>
/// An account's most recent transaction ids (as 64-bit hashes) and their verdicts, oldest forgotten first: what makes a
/// redelivered transaction get its first verdict back. A ring over two arrays of the same length: the ids alone, which
/// every transaction searches, and what each verdict was, which only a duplicate reads.
/// A struct kept inline in the account's row (<see cref="AccountRow"/>: a mutable one, called there, never through a copy),
/// so an account costs this ring two blocks of its owner's <see cref="AccountArena"/> (and an array, kept by the arena for
/// the account's row, once it remembers a verdict with rules) and nothing per transaction.
/// </summary>
/// <remarks>
/// The ids have an array of their own because every transaction searches them and only a duplicate reads a verdict: 64
/// ids are 512 B in a row, which a vectorized search reads without pulling each verdict into the cache (docs/decisions/0003).
/// </remarks>
internal struct RememberedVerdicts
{
    // Blocks of the owner's arena, which may hold no reference (nor may this struct: rows hold no reference either): a
    // verdict's node is its number in NodeNames, and a verdict with rules is kept in an ordinary array that the arena
    // holds for the account's row (AccountArena.WithRules), made only for an account that has one.
    private int _ids;
    private int _verdicts;
    private int _oldest;
    private int _count;
    private bool _keepsRules;

    public readonly int Count => _count;

    private readonly int Capacity => _ids == 0 ? 0 : BlockPool<ulong>.LengthOf(_ids);

    /// <summary>The <paramref name="k"/>-th remembered verdict (with its id), oldest first, of the account in <paramref name="row"/>.</summary>
    public readonly RememberedVerdict At(AccountArena arena, int row, int k)
    {
        var slot = Slot(k);
        var v = arena.Verdicts.Span(_verdicts)[slot];
        return new RememberedVerdict(arena.Ids.Span(_ids)[slot], v.DetectedAtTicks, NodeNames.Of(v.Node), v.Late, v.WithRules ? arena.WithRules[row][slot] : null, RuleSetNumbers.Of(v.RuleSet));
    }

    public readonly bool TryGet(AccountArena arena, int row, ulong id, out RememberedVerdict verdict)
    {
        if (_count > 0)
        {
            // The remembered slots are at most two runs of the ring: from the oldest to the end, and from the start.
            var ids = arena.Ids.Span(_ids);
            var firstRun = Math.Min(_count, ids.Length - _oldest);
            var at = ids.Slice(_oldest, firstRun).IndexOf(id);
            if (at >= 0)
            {
                verdict = At(arena, row, at);
                return true;
            }

            at = ids[..(_count - firstRun)].IndexOf(id);
            if (at >= 0)
            {
                verdict = At(arena, row, firstRun + at);
                return true;
            }
        }

        verdict = default;
        return false;
    }

    /// <summary>Remembers one more, forgetting the oldest beyond <paramref name="limit"/> (0 remembers nothing).</summary>
    public void Add(AccountArena arena, int row, RememberedVerdict verdict, int limit)
    {
        while (_count > 0 && _count >= limit)
        {
            if (_keepsRules)
            {
                arena.WithRules[row][_oldest] = null; // let a forgotten verdict's object go
            }

            _oldest = Slot(1);
            _count--;
        }

        if (limit <= 0)
        {
            return;
        }

        if (_count == Capacity)
        {
            Grow(arena, row, Math.Min(limit, Math.Max(EventWindow.FirstCapacity, Capacity * 2)));
        }

        var slot = Slot(_count);
        arena.Ids.Span(_ids)[slot] = verdict.Id;
        arena.Verdicts.Span(_verdicts)[slot] = new Remembered(verdict.DetectedAtTicks, RuleSetNumbers.Number(verdict.RuleSet), (ushort)NodeNames.Number(verdict.Node), verdict.Late, verdict.WithRules is not null);
        if (verdict.WithRules is not null)
        {
            if (!_keepsRules)
            {
                arena.WithRules[row] = new Verdict?[Capacity];
                _keepsRules = true;
            }

            arena.WithRules[row][slot] = verdict.WithRules;
        }

        _count++;
    }

    /// <summary>
    /// Copies the ring into blocks of <paramref name="to"/>, slot for slot, for the account's row there; the original in
    /// <paramref name="from"/> is left as it was (a move drops it, a snapshot keeps scoring with it). The verdicts with
    /// rules get an array of their own: the two go on separately.
    /// </summary>
    public void CopyTo(AccountArena from, int fromRow, AccountArena to, int toRow)
    {
        if (_keepsRules)
        {
            to.WithRules[toRow] = (Verdict?[])from.WithRules[fromRow].Clone();
        }

        if (_ids == 0)
        {
            return;
        }

        var capacity = Capacity;
        var ids = to.Ids.Rent(capacity);
        var verdicts = to.Verdicts.Rent(capacity);
        from.Ids.Span(_ids).CopyTo(to.Ids.Span(ids));
        from.Verdicts.Span(_verdicts).CopyTo(to.Verdicts.Span(verdicts));
        _ids = ids;
        _verdicts = verdicts;
    }

    /// <summary>Gives the blocks back to the arena; nothing is remembered after.</summary>
    public void Release(AccountArena arena, int row)
    {
        if (_keepsRules)
        {
            arena.WithRules.Remove(row);
        }

        arena.Ids.Return(_ids);
        arena.Verdicts.Return(_verdicts);
        this = default;
    }

    private readonly int Slot(int k)
    {
        var slot = _oldest + k;
        var capacity = Capacity;
        return slot >= capacity ? slot - capacity : slot;
    }

    private void Grow(AccountArena arena, int row, int capacity)
    {
        // Rent both first: a rent may move its pool's items, so no span is taken before.
        var ids = arena.Ids.Rent(capacity);
        var verdicts = arena.Verdicts.Rent(capacity);
        var newIds = arena.Ids.Span(ids);
        var newVerdicts = arena.Verdicts.Span(verdicts);
        var oldWithRules = _keepsRules ? arena.WithRules[row] : null;
        var withRules = oldWithRules is null ? null : new Verdict?[newIds.Length];
        if (_ids != 0)
        {
            var oldIds = arena.Ids.Span(_ids);
            var oldVerdicts = arena.Verdicts.Span(_verdicts);
            for (var k = 0; k < _count; k++)
            {
                var slot = Slot(k);
                newIds[k] = oldIds[slot];
                newVerdicts[k] = oldVerdicts[slot];
                if (withRules is not null)
                {
                    withRules[k] = oldWithRules![slot];
                }
            }

            arena.Ids.Return(_ids);
            arena.Verdicts.Return(_verdicts);
        }

        _ids = ids;
        _verdicts = verdicts;
        if (withRules is not null)
        {
            arena.WithRules[row] = withRules;
        }

        _oldest = 0;
    }

    /// <summary>A slot's verdict without its id (see <see cref="RememberedVerdict"/>), its node by number, its rules elsewhere.</summary>
    internal readonly record struct Remembered(long DetectedAtTicks, int RuleSet, ushort Node, bool Late, bool WithRules);
}

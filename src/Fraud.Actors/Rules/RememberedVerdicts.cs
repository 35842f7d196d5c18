namespace Fraud.Actors.Rules;

/// <summary>
/// An account's most recent transaction ids (as 64-bit hashes) and their verdicts, oldest forgotten first: what makes a
/// redelivered transaction get its first verdict back. A ring over two arrays of the same length: the ids alone, which
/// every transaction searches, and what each verdict was, which only a duplicate reads.
/// A struct kept inline in <see cref="AccountState"/> (a mutable one: the state holds it in a plain field and calls it
/// there, never through a copy), so an account costs this ring two objects and none per transaction.
/// </summary>
/// <remarks>
/// Why the ids have an array of their own: when each slot held its id next to the verdict (40 B a slot), the search
/// walked 2.5 KB of an account at 64 ids, most of it out of the cache with thousands of accounts: scoring 500,000
/// generator transactions over 10,000 accounts took 1.6–2.0 µs each against 0.9–1.1 µs remembering nothing, and
/// 1.3–1.6 µs with the ids apart (2026-12-01, two runs each). The ids are 512 B in a row, which a vectorized search reads.
/// </remarks>
internal struct RememberedVerdicts
{
    private ulong[]? _ids;
    private Remembered[]? _verdicts;
    private int _oldest;
    private int _count;

    public readonly int Count => _count;

    /// <summary>The <paramref name="k"/>-th remembered verdict (with its id), oldest first.</summary>
    public readonly RememberedVerdict this[int k]
    {
        get
        {
            var slot = Slot(k);
            var v = _verdicts![slot];
            return new RememberedVerdict(_ids![slot], v.DetectedAtTicks, v.Node, v.Late, v.WithRules);
        }
    }

    public readonly bool TryGet(ulong id, out RememberedVerdict verdict)
    {
        if (_count > 0)
        {
            // The remembered slots are at most two runs of the ring: from the oldest to the end, and from the start.
            var firstRun = Math.Min(_count, _ids!.Length - _oldest);
            var at = _ids.AsSpan(_oldest, firstRun).IndexOf(id);
            if (at >= 0)
            {
                verdict = this[at];
                return true;
            }

            at = _ids.AsSpan(0, _count - firstRun).IndexOf(id);
            if (at >= 0)
            {
                verdict = this[firstRun + at];
                return true;
            }
        }

        verdict = default;
        return false;
    }

    /// <summary>Remembers one more, forgetting the oldest beyond <paramref name="limit"/> (0 remembers nothing).</summary>
    public void Add(RememberedVerdict verdict, int limit)
    {
        while (_count > 0 && _count >= limit)
        {
            _verdicts![_oldest] = default; // let a forgotten verdict's object go
            _oldest = Slot(1);
            _count--;
        }

        if (limit <= 0)
        {
            return;
        }

        var capacity = _ids?.Length ?? 0;
        if (_count == capacity)
        {
            Grow(Math.Min(limit, Math.Max(EventWindow.FirstCapacity, capacity * 2)));
        }

        var slot = Slot(_count);
        _ids![slot] = verdict.Id;
        _verdicts![slot] = new Remembered(verdict.DetectedAtTicks, verdict.Node, verdict.Late, verdict.WithRules);
        _count++;
    }

    private readonly int Slot(int k)
    {
        var slot = _oldest + k;
        return slot >= _ids!.Length ? slot - _ids.Length : slot;
    }

    private void Grow(int capacity)
    {
        var ids = new ulong[capacity];
        var verdicts = new Remembered[capacity];
        for (var k = 0; k < _count; k++)
        {
            ids[k] = _ids![Slot(k)];
            verdicts[k] = _verdicts![Slot(k)];
        }

        _ids = ids;
        _verdicts = verdicts;
        _oldest = 0;
    }

    /// <summary>A slot's verdict without its id (see <see cref="RememberedVerdict"/>).</summary>
    private readonly record struct Remembered(long DetectedAtTicks, string Node, bool Late, Verdict? WithRules);
}

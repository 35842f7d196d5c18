namespace Fraud.Actors.Rules;

/// <summary>
/// An account's most recent transaction ids (as 64-bit hashes) and their verdicts, oldest forgotten first: what makes a
/// redelivered transaction get its first verdict back. A ring of two plain arrays, searched newest first (a duplicate
/// is nearly always recent): at 64 ids that scan is cheaper than a dictionary's hashing, and it costs two objects per
/// account instead of a dictionary's and a queue's four, none of them per transaction.
/// </summary>
internal sealed class RememberedVerdicts
{
    private ulong[] _ids = [];
    private RememberedVerdict[] _verdicts = [];
    private int _oldest;
    private int _count;

    public int Count => _count;

    /// <summary>The <paramref name="k"/>-th remembered id and verdict, oldest first.</summary>
    public (ulong Id, RememberedVerdict Verdict) this[int k] => (_ids[Slot(k)], _verdicts[Slot(k)]);

    public bool TryGet(ulong id, out RememberedVerdict verdict)
    {
        for (var k = _count - 1; k >= 0; k--)
        {
            var slot = Slot(k);
            if (_ids[slot] == id)
            {
                verdict = _verdicts[slot];
                return true;
            }
        }

        verdict = default;
        return false;
    }

    /// <summary>Remembers one more, forgetting the oldest beyond <paramref name="limit"/> (0 remembers nothing).</summary>
    public void Add(ulong id, RememberedVerdict verdict, int limit)
    {
        while (_count > 0 && _count >= limit)
        {
            _verdicts[_oldest] = default; // let a forgotten verdict's object go
            _oldest = Slot(1);
            _count--;
        }

        if (limit <= 0)
        {
            return;
        }

        if (_count == _ids.Length)
        {
            Grow(Math.Min(limit, Math.Max(4, _ids.Length * 2)));
        }

        var slot = Slot(_count);
        _ids[slot] = id;
        _verdicts[slot] = verdict;
        _count++;
    }

    private int Slot(int k)
    {
        var slot = _oldest + k;
        return slot >= _ids.Length ? slot - _ids.Length : slot;
    }

    private void Grow(int capacity)
    {
        var ids = new ulong[capacity];
        var verdicts = new RememberedVerdict[capacity];
        for (var k = 0; k < _count; k++)
        {
            ids[k] = _ids[Slot(k)];
            verdicts[k] = _verdicts[Slot(k)];
        }

        _ids = ids;
        _verdicts = verdicts;
        _oldest = 0;
    }
}

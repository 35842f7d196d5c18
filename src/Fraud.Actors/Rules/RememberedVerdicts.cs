namespace Fraud.Actors.Rules;

/// <summary>
/// An account's most recent transaction ids (as 64-bit hashes) and their verdicts, oldest forgotten first: what makes a
/// redelivered transaction get its first verdict back. A ring over one array of structs, each holding its id, searched
/// newest first (a duplicate is nearly always recent): at 64 ids that scan is cheaper than a dictionary's hashing.
/// A struct kept inline in <see cref="AccountState"/> (a mutable one: the state holds it in a plain field and calls it
/// there, never through a copy), so an account costs this ring one object, its array, and none per transaction.
/// </summary>
internal struct RememberedVerdicts
{
    private RememberedVerdict[]? _verdicts;
    private int _oldest;
    private int _count;

    public readonly int Count => _count;

    /// <summary>The <paramref name="k"/>-th remembered verdict (with its id), oldest first.</summary>
    public readonly RememberedVerdict this[int k] => _verdicts![Slot(k)];

    public readonly bool TryGet(ulong id, out RememberedVerdict verdict)
    {
        for (var k = _count - 1; k >= 0; k--)
        {
            var slot = Slot(k);
            if (_verdicts![slot].Id == id)
            {
                verdict = _verdicts[slot];
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

        var capacity = _verdicts?.Length ?? 0;
        if (_count == capacity)
        {
            Grow(Math.Min(limit, Math.Max(4, capacity * 2)));
        }

        _verdicts![Slot(_count)] = verdict;
        _count++;
    }

    private readonly int Slot(int k)
    {
        var slot = _oldest + k;
        return slot >= _verdicts!.Length ? slot - _verdicts.Length : slot;
    }

    private void Grow(int capacity)
    {
        var verdicts = new RememberedVerdict[capacity];
        for (var k = 0; k < _count; k++)
        {
            verdicts[k] = _verdicts![Slot(k)];
        }

        _verdicts = verdicts;
        _oldest = 0;
    }
}

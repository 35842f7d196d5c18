using System.Numerics;

namespace Fraud.Actors.State;

/// <summary>
/// The accounts of one partition, by id: each a row of one <see cref="AccountArena"/> (its id's characters in a block of
/// the arena's keys), found through an open-addressing index of row numbers. No object per account: not a state, not
/// an id string, not a dictionary entry holding references. What a <c>Dictionary&lt;string, AccountState&gt;</c> did, at
/// no cost to young collections. Not thread-safe: its partition actor is its one owner.
/// </summary>
/// <remarks>
/// Why: an object and an id string per account were what young collections copied most once the events and verdicts
/// lived in blocks (docs/decisions/0003). Ids are hashed with <see cref="string.GetHashCode()"/>, randomized per process:
/// the index lives in memory only, and account ids come from outside, so no sender can choose ids that all land in one
/// probe run.
/// </remarks>
public sealed class AccountTable
{
    private const double MaxLoad = 0.7;
    private readonly AccountState _handle;
    private int[] _slots = new int[16]; // row numbers; 0 is an empty slot (row 0 is never handed out)
    private int _count;

    public AccountTable()
        : this(new AccountArena())
    {
    }

    private AccountTable(AccountArena arena)
    {
        Arena = arena;
        _handle = new AccountState(arena, 0);
    }

    /// <summary>Where the accounts' rows, ids, events and verdicts are.</summary>
    public AccountArena Arena { get; }

    public int Count => _count;

    /// <summary>The row of the account <paramref name="id"/>, or 0 when it is not held.</summary>
    public int Find(string id) => Find(id, id.GetHashCode());

    /// <summary>Adds the account <paramref name="id"/>, which is not held yet, with an empty state; returns its row.</summary>
    public int Add(string id) => Add(id, id.GetHashCode());

    /// <summary>The row of the account <paramref name="id"/>, added with an empty state if it was not held; the id is hashed once.</summary>
    public int FindOrAdd(string id, out bool added)
    {
        var hash = id.GetHashCode();
        var row = Find(id, hash);
        added = row == 0;
        return added ? Add(id, hash) : row;
    }

    private int Find(string id, int hash)
    {
        var mask = _slots.Length - 1;
        for (var i = Home(hash, mask); ; i = (i + 1) & mask)
        {
            var row = _slots[i];
            if (row == 0)
            {
                return 0;
            }

            if (Arena.Rows[row].KeyHash == hash && Arena.KeyEquals(row, id))
            {
                return row;
            }
        }
    }

    private int Add(string id, int hash)
    {
        if (_count + 1 > _slots.Length * MaxLoad)
        {
            Resize(_slots.Length * 2);
        }

        var row = Arena.RentRow();
        Arena.SetKey(row, id, hash);
        Insert(row, hash);
        _count++;
        return row;
    }

    /// <summary>Drops the account in <paramref name="row"/>: its row, id and blocks go to the next new account.</summary>
    public void Remove(int row)
    {
        var mask = _slots.Length - 1;
        var i = Home(Arena.Rows[row].KeyHash, mask);
        while (_slots[i] != row)
        {
            i = (i + 1) & mask;
        }

        // Backward-shift deletion: move each later entry of the run into the hole unless its home lies after the
        // hole (cyclically), so every entry stays reachable from its home without tombstones.
        for (var j = (i + 1) & mask; _slots[j] != 0; j = (j + 1) & mask)
        {
            var home = Home(Arena.Rows[_slots[j]].KeyHash, mask);
            if (((j - home) & mask) >= ((j - i) & mask))
            {
                _slots[i] = _slots[j];
                i = j;
            }
        }

        _slots[i] = 0;
        _count--;
        AccountState.Release(Arena, row);
    }

    /// <summary>
    /// The state of the account in <paramref name="row"/>, through the table's one handle: valid until the next call
    /// (score it, encode it, read it; do not keep it).
    /// </summary>
    public AccountState State(int row)
    {
        _handle.Bind(Arena, row);
        return _handle;
    }

    /// <summary>The id of the account in <paramref name="row"/> (a new string: for checkpoints and passivation, not per transaction).</summary>
    public string IdOf(int row) => Arena.IdOf(row);

    /// <summary>When the account in <paramref name="row"/> was last scored (UTC ticks), for passivation.</summary>
    public ref long LastSeenTicks(int row) => ref Arena.Rows[row].LastSeenTicks;

    /// <summary>Whether the account in <paramref name="row"/> changed since its last checkpoint.</summary>
    public ref bool Changed(int row) => ref Arena.Rows[row].Changed;

    /// <summary>The rows of every account held, in no particular order (a new list: the caller may remove as it goes).</summary>
    public List<int> Rows()
    {
        var rows = new List<int>(_count);
        foreach (var row in _slots)
        {
            if (row != 0)
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>
    /// The same accounts in a new arena sized for them: for a table whose arena is <see cref="AccountArena.MostlyFree"/>
    /// (its arrays were sized for a peak that passed). The accounts' rows change; this table is not to be used after.
    /// </summary>
    public AccountTable Compacted()
    {
        var table = new AccountTable(new AccountArena());
        var capacity = 16;
        while (_count > capacity * MaxLoad)
        {
            capacity *= 2;
        }

        table._slots = new int[capacity];
        foreach (var row in _slots)
        {
            if (row != 0)
            {
                var moved = table.Arena.RentRow();
                AccountState.CopyRow(Arena, row, table.Arena, moved);
                table.Insert(moved, table.Arena.Rows[moved].KeyHash);
                table._count++;
            }
        }

        return table;
    }

    private void Insert(int row, int hash)
    {
        var mask = _slots.Length - 1;
        var i = Home(hash, mask);
        while (_slots[i] != 0)
        {
            i = (i + 1) & mask;
        }

        _slots[i] = row;
    }

    private void Resize(int capacity)
    {
        var old = _slots;
        _slots = new int[capacity];
        foreach (var row in old)
        {
            if (row != 0)
            {
                Insert(row, Arena.Rows[row].KeyHash);
            }
        }
    }

    // Fibonacci hashing: the product's top bits, as many as the index needs, depend on all of the hash's bits.
    private static int Home(int hash, int mask) => (int)(((uint)hash * 0x9E3779B9u) >> (32 - BitOperations.PopCount((uint)mask)));
}

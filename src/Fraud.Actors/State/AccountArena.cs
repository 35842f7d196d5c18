using Fraud.Actors.Rules;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Fraud.Actors.State;

/// <summary>
/// Where the accounts of one owner live: a row each (<see cref="AccountRow"/>: its windows' and rings' places, its
/// times), its id's bytes, and its events and verdicts in blocks of three pools (see <see cref="BlockPool{T}"/> for
/// why), all shared by the owner's accounts and none holding a reference. A partition actor has one (through its
/// <see cref="Accounts.AccountTable"/>); so does a replay; a state made without one has its own. Not thread-safe, like
/// the states themselves: one owner at a time.
/// </summary>
public sealed class AccountArena
{
    internal readonly BlockPool<AccountEvent> Events = new();
    internal readonly BlockPool<ulong> Ids = new();
    internal readonly BlockPool<RememberedVerdicts.Remembered> Verdicts = new();
    // Account ids as UTF-8, for the owner's table (a state made alone has no key).
    internal readonly BlockPool<byte> Keys = new();

    // Row 0 is never handed out: 0 means "no row" in the owner's table.
    internal readonly SegmentedArray<AccountRow> Rows = new();
    private int[] _freeRows = [];
    private int _freeRowCount;
    private int _rowsCut = 1;

    // The verdicts with rules an account remembers, by its row: rare (a flagged transaction's explanation), so kept as
    // objects in an ordinary array, made only for an account that has one, out of the rows' way.
    internal readonly Dictionary<int, Verdict?[]> WithRules = new();

    /// <summary>
    /// Most of the arena's arrays are free (and there is enough of it to matter): its owner dropped most of its
    /// accounts, and should move the rest into a new arena (<see cref="AccountState.MoveTo"/>,
    /// <see cref="Accounts.AccountTable.Compacted"/>) so that the arrays sized for its peak can go.
    /// </summary>
    public bool MostlyFree => Bytes > MinBytesToShrink && InUseBytes * 2 < Bytes;

    // Below this an arena is left as it is: moving its accounts would cost more than the memory it gives back.
    private const long MinBytesToShrink = 1 << 20;

    /// <summary>Rows handed out and not returned: the accounts held.</summary>
    public int RowsInUse => _rowsCut - 1 - _freeRowCount;

    private long InUseBytes =>
        Events.InUse * Unsafe.SizeOf<AccountEvent>()
        + Ids.InUse * sizeof(ulong)
        + Verdicts.InUse * Unsafe.SizeOf<RememberedVerdicts.Remembered>()
        + Keys.InUse
        + (long)RowsInUse * Unsafe.SizeOf<AccountRow>();

    /// <summary>Bytes of the arena's arrays, in use or free, for the memory bench.</summary>
    public long Bytes =>
        Events.Capacity * Unsafe.SizeOf<AccountEvent>()
        + Ids.Capacity * sizeof(ulong)
        + Verdicts.Capacity * Unsafe.SizeOf<RememberedVerdicts.Remembered>()
        + Keys.Capacity
        + Rows.Capacity * Unsafe.SizeOf<AccountRow>();

    /// <summary>
    /// Takes every row and block back at once, keeping the arrays: for an arena used as scratch, a partition's
    /// checkpoint snapshot, filled again at each save without new arrays.
    /// </summary>
    internal void Clear()
    {
        Events.Clear();
        Ids.Clear();
        Verdicts.Clear();
        Keys.Clear();
        WithRules.Clear();
        _freeRowCount = 0;
        _rowsCut = 1;
    }

    // An account's id is kept in a block of Keys: as ASCII when it is (one byte a character, as nearly every account id
    // is), else as its UTF-16 code units with a negative length: either way exactly the id's characters, compared
    // without decoding.

    /// <summary>Gives the account in <paramref name="row"/> the id <paramref name="id"/>, with its hash.</summary>
    internal void SetKey(int row, string id, int hash)
    {
        var wide = !Ascii.IsValid(id);
        var length = wide ? id.Length * sizeof(char) : id.Length;
        var key = length == 0 ? 0 : Keys.Rent(length);
        if (length > 0)
        {
            var bytes = Keys.Span(key);
            if (wide)
            {
                MemoryMarshal.AsBytes(id.AsSpan()).CopyTo(bytes);
            }
            else
            {
                Encoding.ASCII.GetBytes(id, bytes);
            }
        }

        ref var data = ref Rows[row];
        data.Key = key;
        data.KeyLength = wide ? -length : length;
        data.KeyHash = hash;
    }

    /// <summary>Whether the account in <paramref name="row"/> has the id <paramref name="id"/>.</summary>
    internal bool KeyEquals(int row, string id)
    {
        ref var data = ref Rows[row];
        if (data.KeyLength == 0)
        {
            return id.Length == 0;
        }

        var bytes = Keys.Span(data.Key);
        return data.KeyLength < 0
            ? MemoryMarshal.Cast<byte, char>(bytes[..-data.KeyLength]).SequenceEqual(id)
            : data.KeyLength == id.Length && Ascii.Equals(bytes[..data.KeyLength], id);
    }

    /// <summary>The id of the account in <paramref name="row"/> (a new string: not for every transaction).</summary>
    internal string IdOf(int row)
    {
        ref var data = ref Rows[row];
        if (data.KeyLength == 0)
        {
            return string.Empty;
        }

        var bytes = Keys.Span(data.Key);
        return data.KeyLength < 0
            ? new string(MemoryMarshal.Cast<byte, char>(bytes[..-data.KeyLength]))
            : Encoding.ASCII.GetString(bytes[..data.KeyLength]);
    }

    /// <summary>
    /// The id of the account in <paramref name="row"/> as UTF-8: its key's own bytes when it is ASCII, else transcoded
    /// into <paramref name="scratch"/> (grown when too small). For checkpoints, with no string per account.
    /// </summary>
    internal ReadOnlySpan<byte> IdUtf8(int row, ref byte[] scratch)
    {
        ref var data = ref Rows[row];
        if (data.KeyLength >= 0)
        {
            return data.KeyLength == 0 ? default : Keys.Span(data.Key)[..data.KeyLength];
        }

        var chars = MemoryMarshal.Cast<byte, char>(Keys.Span(data.Key)[..-data.KeyLength]);
        var length = Encoding.UTF8.GetByteCount(chars);
        if (scratch.Length < length)
        {
            scratch = new byte[Math.Max(length, scratch.Length * 2)];
        }

        return scratch.AsSpan(0, Encoding.UTF8.GetBytes(chars, scratch));
    }

    /// <summary>Copies the key of <paramref name="fromRow"/> in <paramref name="from"/> into a block of this arena, for <paramref name="toRow"/>.</summary>
    internal void CopyKey(AccountArena from, int fromRow, int toRow)
    {
        ref var source = ref from.Rows[fromRow];
        var key = 0;
        if (source.Key != 0)
        {
            var length = Math.Abs(source.KeyLength);
            key = Keys.Rent(length);
            from.Keys.Span(source.Key)[..length].CopyTo(Keys.Span(key));
        }

        Rows[toRow].Key = key;
    }

    /// <summary>A new, empty row (valid until returned; a reference into <see cref="Rows"/> taken before may be stale, while its first segment still grows).</summary>
    internal int RentRow()
    {
        if (_freeRowCount > 0)
        {
            return _freeRows[--_freeRowCount];
        }

        Rows.EnsureCapacity(_rowsCut + 1);
        return _rowsCut++;
    }

    /// <summary>Takes a row back, cleared (its blocks must have been returned already).</summary>
    internal void ReturnRow(int row)
    {
        Rows[row] = default;
        if (_freeRowCount == _freeRows.Length)
        {
            Array.Resize(ref _freeRows, Math.Max(16, _freeRows.Length * 2));
        }

        _freeRows[_freeRowCount++] = row;
    }
}

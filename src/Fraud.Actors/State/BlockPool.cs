using System.Numerics;

namespace Fraud.Actors.State;

/// <summary>
/// Blocks of <typeparamref name="T"/> of a power-of-two length, cut from one large array per length, and reused once
/// returned: how accounts' windows and verdict rings are kept without an array of their own each. Not thread-safe: one
/// owner (a partition actor, a replay, a test) uses it and the states made with it.
/// </summary>
/// <remarks>
/// Why: an account lives for the rules' retention and a node makes thousands of new ones a second, the worst case for a
/// generational GC, which would copy every new account's arrays into gen1 and again into gen2 (docs/decisions/0003). A
/// block is a slice of an array that is already old (a segment, see <see cref="SegmentedArray{T}"/>), and
/// <typeparamref name="T"/> holds no reference, so young collections neither copy nor trace an account's events and
/// verdicts; a new account costs a free-list pop, or a slice of the array's slack, where an array of its own from the
/// pinned heap would take a lock.
/// A handle is the block's index and its length class in one int; 0 is no block. The arrays do not shrink: an owner whose
/// accounts were mostly dropped moves the rest into a new pool (see <see cref="AccountArena.MostlyFree"/>).
/// </remarks>
internal sealed class BlockPool<T> where T : unmanaged
{
    private const int ClassBits = 5;
    private readonly Class[] _classes = new Class[31];

    /// <summary>A block of at least <paramref name="length"/> (rounded up to a power of two, at least 2).</summary>
    public int Rent(int length)
    {
        var k = Math.Max(1, BitOperations.Log2((uint)Math.Max(2, length) - 1) + 1);
        var pool = _classes[k] ??= new Class(1 << k);
        return pool.Rent() << ClassBits | k;
    }

    /// <summary>The block's items (valid until the next <see cref="Rent"/>, which may move them).</summary>
    public Span<T> Span(int handle)
    {
        var pool = _classes[handle & ((1 << ClassBits) - 1)];
        return pool.Items.Span((handle >> ClassBits) * pool.Length, pool.Length);
    }

    public static int LengthOf(int handle) => 1 << (handle & ((1 << ClassBits) - 1));

    /// <summary>Gives the block back; its items are left as they are (they hold no reference).</summary>
    public void Return(int handle)
    {
        if (handle != 0)
        {
            _classes[handle & ((1 << ClassBits) - 1)].Return(handle >> ClassBits);
        }
    }

    /// <summary>Takes every block back at once, keeping the arrays (a reused scratch pool: a checkpoint's snapshot).</summary>
    public void Clear()
    {
        foreach (var pool in _classes)
        {
            pool?.Clear();
        }
    }

    /// <summary>Items held by every length's array (in use, free, and not yet cut), for the memory bench.</summary>
    public long Capacity => _classes.Sum(c => c?.Items.Capacity ?? 0L);

    /// <summary>Items in blocks handed out and not returned.</summary>
    public long InUse => _classes.Sum(c => c is null ? 0L : (long)(c.Cut - c.FreeCount) * c.Length);

    private sealed class Class(int length)
    {
        public readonly int Length = length;
        public readonly SegmentedArray<T> Items = new(minSegmentLength: length, firstLength: length * 2);
        private int[] _free = [];
        private int _freeCount;
        private int _cut; // blocks handed out from the array so far, free ones included

        public int Cut => _cut;

        public int FreeCount => _freeCount;

        public int Rent()
        {
            if (_freeCount > 0)
            {
                return _free[--_freeCount];
            }

            // By segments once past the first (see SegmentedArray): a block never moves after that.
            Items.EnsureCapacity((_cut + 1) * Length);
            return _cut++;
        }

        public void Clear()
        {
            _cut = 0;
            _freeCount = 0;
        }

        public void Return(int block)
        {
            if (_freeCount == _free.Length)
            {
                Array.Resize(ref _free, Math.Max(16, _free.Length * 2));
            }

            _free[_freeCount++] = block;
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Fraud.Actors.State;

/// <summary>
/// An array of <typeparamref name="T"/> that grows by whole segments of a fixed length instead of by doubling: the
/// storage of an arena's rows and blocks. The first segment doubles up to that length (an owner with few accounts
/// keeps little); after it, growing adds a segment and copies nothing.
/// </summary>
/// <remarks>
/// Not one doubling array: each step would copy the whole array (in the partition's actor, while its records wait) and
/// leave the old one as garbage in the large object heap, which is not compacted (docs/decisions/0003). Segments of
/// <see cref="SegmentBytes"/> (in the pinned object heap, see NewSegment) are all alike, so a dropped arena's leave
/// holes that the next ones fill exactly. A segment's items never move once it is full length: a span into one stays valid.
/// </remarks>
internal sealed class SegmentedArray<T> where T : unmanaged
{
    /// <summary>A segment's bytes at most (below the large object heap's 85,000): 64 KiB.</summary>
    public const int SegmentBytes = 1 << 16;

    private readonly int _shift;
    private readonly int _mask;
    private T[][] _segments = [];
    private int _count;

    /// <param name="minSegmentLength">Items a segment must hold at least (a power of two): the longest span taken.</param>
    /// <param name="firstLength">The first segment's first length.</param>
    public SegmentedArray(int minSegmentLength = 1, int firstLength = 8)
    {
        var perSegment = Math.Max(minSegmentLength, (int)BitOperations.RoundUpToPowerOf2((uint)(SegmentBytes / Unsafe.SizeOf<T>() + 1)) / 2);
        _shift = BitOperations.Log2((uint)perSegment);
        _mask = perSegment - 1;
        _segments = [NewSegment(Math.Min(perSegment, Math.Max(firstLength, minSegmentLength)))];
        _count = 1;
    }

    /// <summary>Items of a full segment.</summary>
    public int SegmentLength => _mask + 1;

    /// <summary>Items held, in every segment.</summary>
    public long Capacity => _count == 1 ? _segments[0].Length : (long)_count * SegmentLength;

    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _segments[index >> _shift][index & _mask];
    }

    /// <summary>
    /// Items <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/>, which must lie in one
    /// segment (a block of a power-of-two length at a multiple of it does, up to the segment's length).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> Span(int start, int length) => _segments[start >> _shift].AsSpan(start & _mask, length);

    /// <summary>Makes room for <paramref name="items"/> items (indexes 0 to <paramref name="items"/> - 1).</summary>
    public void EnsureCapacity(int items)
    {
        while (Capacity < items)
        {
            var first = _segments[0];
            if (_count == 1 && first.Length < SegmentLength)
            {
                var grown = NewSegment(Math.Min(SegmentLength, first.Length * 2));
                first.CopyTo(grown, 0);
                _segments[0] = grown;
                continue;
            }

            if (_count == _segments.Length)
            {
                Array.Resize(ref _segments, _segments.Length * 2);
            }

            _segments[_count++] = NewSegment(SegmentLength);
        }
    }

    // A full-length segment comes from the pinned object heap, which young collections neither copy nor trace (as young
    // objects, a node's new segments were copied into gen1 and gen2). Pinning costs nothing here (the items never move
    // anyway), and a dropped segment leaves a hole exactly one segment long.
    private T[] NewSegment(int length) => length == SegmentLength ? GC.AllocateArray<T>(length, pinned: true) : new T[length];
}

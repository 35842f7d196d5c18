namespace Fraud.Checkpoints.Log;

/// <summary>
/// The arrays the account log's chunks are written into and read into: <see cref="AccountLog.ChunkBytes"/> each, from
/// the pinned object heap, up to <see cref="Kept"/> of them kept for reuse. Thread-safe (PostgreSQL saves run on the
/// thread pool, several at once).
/// </summary>
/// <remarks>
/// Why pinned: a compaction holds many chunks while it writes the new base, on a thread of low priority; ordinary arrays
/// would be copied into gen1 and gen2 by every young collection meanwhile, while the pinned heap's are never copied, and
/// one not kept is freed by the next full collection (docs/decisions/0004).
/// </remarks>
internal static class ChunkPool
{
    /// <summary>Arrays kept for the next saves: 16 MiB, a node's saves in flight at once and a mid-sized compaction.</summary>
    public const int Kept = 256;

    private static readonly Stack<byte[]> Free = new();

    /// <summary>An array of at least <paramref name="length"/> bytes (exactly <see cref="AccountLog.ChunkBytes"/> when that is enough).</summary>
    public static byte[] Rent(int length)
    {
        if (length > AccountLog.ChunkBytes)
        {
            return GC.AllocateUninitializedArray<byte>(length, pinned: true); // an entry larger than a chunk: rare, not kept
        }

        lock (Free)
        {
            if (Free.TryPop(out var array))
            {
                return array;
            }
        }

        return GC.AllocateUninitializedArray<byte>(AccountLog.ChunkBytes, pinned: true);
    }

    /// <summary>Gives an array from <see cref="Rent"/> back; it is kept for reuse if it has a chunk's size and the pool has room.</summary>
    public static void Return(byte[] array)
    {
        if (array.Length != AccountLog.ChunkBytes)
        {
            return;
        }

        lock (Free)
        {
            if (Free.Count < Kept)
            {
                Free.Push(array);
            }
        }
    }
}

using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Checkpoints.Log;

public static partial class AccountLog
{
    /// <summary>
    /// A compaction that holds one chunk of the log at a time: the caller applies the log's chunks newest first, and
    /// each account's newest entry is the one kept (written into the new base's chunks if it is a state, left out if it
    /// is a removal); every older entry of it is skipped. The new base comes out in chunks as they fill
    /// (<see cref="TakeCompleted"/>), so what the compaction keeps is the accounts' ids seen so far, not the log.
    /// </summary>
    /// <remarks>
    /// Why: gathering the live accounts first held the whole log (two to three times a partition's accounts) for as long
    /// as the new base took to write, on a thread of low priority: long enough for young collections to copy it, and a
    /// partition of a million accounts would need its log's size in memory (docs/decisions/0004).
    /// </remarks>
    public sealed class Compaction
    {
        private readonly KeySet _seen;
        private readonly ChunkWriter _writer = new(new ArrayBufferWriter<byte>(ChunkBytes));
        private readonly List<int> _starts = new(512);

        // The ids' set of the last compaction, emptied, for the next one: its arrays are large (a partition's ids), and
        // new ones at every compaction were large-object allocations that brought full collections forward.
        private static KeySet? _spare;

        public Compaction(int capacity) => _seen = Interlocked.Exchange(ref _spare, null) ?? new KeySet(capacity);

        /// <summary>Accounts written into the new base so far.</summary>
        public int Live { get; private set; }

        /// <summary>
        /// Applies the newest chunk of the log not applied yet (its bytes, no more: the array may be reused as soon as this
        /// returns). Throws on a chunk this version cannot read.
        /// </summary>
        public void ApplyOlder(ReadOnlySpan<byte> chunk)
        {
            // Within a chunk, too, a later entry is the newer one: walk its entries, then take them last first.
            _starts.Clear();
            for (var at = FirstEntry(chunk); at < chunk.Length;)
            {
                _starts.Add(at);
                NextEntry(chunk, ref at);
            }

            for (var i = _starts.Count - 1; i >= 0; i--)
            {
                var at = _starts[i];
                var (account, state) = NextEntry(chunk, ref at);
                if (_seen.Add(chunk[account]) && state is { } found)
                {
                    _writer.Put(chunk[account], chunk[found], removal: false);
                    Live++;
                }
            }
        }

        /// <summary>The new base's chunks completed so far, when at least <paramref name="atLeast"/> (the caller stores and disposes them).</summary>
        public Chunks? TakeCompleted(int atLeast) => _writer.TakeCompleted(atLeast);

        /// <summary>The rest of the new base. The compaction is done: its set of ids goes to the next one.</summary>
        public Chunks Finish()
        {
            _seen.Clear();
            Volatile.Write(ref _spare, _seen);
            return _writer.Finish();
        }
    }
}

using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Host.Checkpoints;

/// <summary>
/// How the SQL store keeps a partition's accounts: a log of chunks, each a run of entries (an account and its encoded
/// state, or the account's removal), applied in order; a later entry for an account replaces an earlier one.
/// A save appends the accounts it changed as a few chunks, written one after another; a row per account instead had every
/// save insert or rewrite thousands of rows at random places of a B-tree, so each save dirtied (and wrote) nearly as many
/// pages as it had accounts. From time to time the store compacts the log: it merges the chunks into the live accounts
/// only and writes those again as the log's new base.
/// </summary>
/// <remarks>
/// A chunk is a version byte, then entries until its end: the account's UTF-8 length (7-bit varint) and bytes, then
/// the state's length plus one (0 for a removal) and the state's bytes. Chunks stay under the runtime's large-object
/// threshold, so that writing and reading them makes no object the GC would only collect in a full collection.
/// </remarks>
public static class AccountLog
{
    private const byte Version = 1;

    /// <summary>Entries are packed into chunks of at most this many bytes (an entry larger than that gets a chunk of its own).</summary>
    public const int ChunkBytes = 64 * 1024;

    /// <summary>One chunk per <see cref="ChunkBytes"/> of entries: the accounts changed, then those removed.</summary>
    public static Chunks Write(IReadOnlyList<KeyValuePair<string, byte[]>> changed, IReadOnlyList<string> removed) =>
        Write(ChangedAccounts.Of(changed), removed);

    /// <summary>One chunk per <see cref="ChunkBytes"/> of entries: the accounts changed (read here, see <see cref="ChangedAccounts"/>), then those removed.</summary>
    public static Chunks Write(ChangedAccounts changed, IReadOnlyList<string> removed)
    {
        var writer = new ChunkWriter();
        changed.ForEach((account, state) => writer.Put(account, state, removal: false));
        Span<byte> small = stackalloc byte[256];
        foreach (var account in removed)
        {
            writer.Put(ChangedAccounts.Utf8Of(account, small), default, removal: true);
        }

        return writer.Finish();
    }

    /// <summary>Packs entries into chunks of at most <see cref="ChunkBytes"/> (an entry larger than that gets one of its own).</summary>
    private sealed class ChunkWriter
    {
        private Chunks _chunks = new();
        private readonly ArrayBufferWriter<byte> _buffer;

        /// <summary>A writer that assembles its chunks in the thread's scratch buffer: to be finished before the thread writes another.</summary>
        public ChunkWriter()
            : this(_scratch ??= new ArrayBufferWriter<byte>(ChunkBytes))
        {
        }

        /// <summary>A writer with a buffer of its own: for one that lives across awaits, which may resume on another thread.</summary>
        public ChunkWriter(ArrayBufferWriter<byte> buffer)
        {
            _buffer = buffer;
            _buffer.ResetWrittenCount();
            Start();
        }

        /// <summary>The chunks completed so far, when there are at least <paramref name="atLeast"/>; the writer goes on with new ones.</summary>
        public Chunks? TakeCompleted(int atLeast)
        {
            if (_chunks.Count < atLeast)
            {
                return null;
            }

            var completed = _chunks;
            _chunks = new Chunks();
            return completed;
        }

        public void Put(ReadOnlySpan<byte> account, ReadOnlySpan<byte> state, bool removal)
        {
            var stateBytes = removal ? 0 : state.Length;
            var size = VarIntSize(account.Length) + account.Length + VarIntSize(stateBytes + 1) + stateBytes;
            if (_buffer.WrittenCount > 1 && _buffer.WrittenCount + size > ChunkBytes)
            {
                _chunks.Add(_buffer.WrittenSpan);
                _buffer.ResetWrittenCount();
                Start();
            }

            var span = _buffer.GetSpan(size);
            var at = WriteVarInt(span, account.Length);
            account.CopyTo(span[at..]);
            at += account.Length;
            at += WriteVarInt(span[at..], removal ? 0 : stateBytes + 1);
            state[..stateBytes].CopyTo(span[at..]);
            _buffer.Advance(at + stateBytes);
        }

        public Chunks Finish()
        {
            if (_buffer.WrittenCount > 1)
            {
                _chunks.Add(_buffer.WrittenSpan);
            }

            if (_buffer.Capacity > 4 * ChunkBytes)
            {
                _scratch = null; // an entry far larger than a chunk grew it: do not keep that for the thread's life
            }

            return _chunks;
        }

        private void Start()
        {
            _buffer.GetSpan(1)[0] = Version;
            _buffer.Advance(1);
        }
    }

    // Where a thread assembles a chunk before copying it into a pooled array of its size.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _scratch;

    // The chunks' arrays come from ChunkPool. A save's chunks wait for the database (behind other partitions' saves, on
    // SQLite's one thread) long enough to outlive the young generation, and a compaction holds hundreds of them: as new
    // ordinary arrays they were copied into gen1 and gen2 by every collection meanwhile (see ChunkPool for why pinned).

    /// <summary>
    /// A write's chunks, each the start of a pooled array: give them back with <see cref="Dispose"/> once written (and
    /// not before: the store binds the arrays themselves, see <see cref="Segments"/>).
    /// </summary>
    public sealed class Chunks : IDisposable
    {
        private readonly List<ArraySegment<byte>> _segments = [];

        public IReadOnlyList<ArraySegment<byte>> Segments => _segments;

        public int Count => _segments.Count;

        public long Bytes => _segments.Sum(s => (long)s.Count);

        internal void Add(ReadOnlySpan<byte> chunk)
        {
            var array = ChunkPool.Rent(chunk.Length);
            chunk.CopyTo(array);
            _segments.Add(new ArraySegment<byte>(array, 0, chunk.Length));
        }

        public void Dispose()
        {
            foreach (var segment in _segments)
            {
                ChunkPool.Return(segment.Array!);
            }

            _segments.Clear();
        }
    }

    /// <summary>Each entry of <paramref name="chunk"/> in order: the account's UTF-8 bytes and its state, or null for a removal.</summary>
    private static void Read(ReadOnlyMemory<byte> chunk, Action<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>?> entry)
    {
        var at = FirstEntry(chunk.Span);
        while (at < chunk.Length)
        {
            var (account, state) = NextEntry(chunk.Span, ref at);
            // (the cast: else null would convert to an empty memory, through byte[], and a removal read as an empty state)
            entry(chunk[account], state is { } found ? (ReadOnlyMemory<byte>?)chunk[found] : null);
        }
    }

    /// <summary>Where a chunk's first entry starts, once its version is checked. Throws on a chunk this version cannot read.</summary>
    private static int FirstEntry(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length == 0 || chunk[0] != Version)
        {
            throw new InvalidDataException($"account log chunk of version {(chunk.Length == 0 ? "(empty)" : chunk[0].ToString())}; this build reads version {Version}");
        }

        return 1;
    }

    /// <summary>The entry at <paramref name="at"/> (moved past it): where its account's bytes are, and its state's (null for a removal).</summary>
    private static (Range Account, Range? State) NextEntry(ReadOnlySpan<byte> bytes, ref int at)
    {
        var accountBytes = ReadVarInt(bytes, ref at);
        if (at + accountBytes > bytes.Length)
        {
            throw new InvalidDataException("account log chunk ends inside an account id");
        }

        var account = new Range(at, at + accountBytes);
        at += accountBytes;
        var state = ReadVarInt(bytes, ref at);
        if (state == 0)
        {
            return (account, null);
        }

        if (at + state - 1 > bytes.Length)
        {
            throw new InvalidDataException("account log chunk ends inside an entry");
        }

        var range = new Range(at, at + state - 1);
        at += state - 1;
        return (account, range);
    }

    /// <summary>
    /// A partition's live accounts as the store gathers them for a claim (and writes them as a new base when the claim
    /// moves rows of the first layout into the log): the log's chunks read into pooled arrays and applied in order (each
    /// state replaces the account's earlier one, each removal drops it), each account a slice of them (its UTF-8 id and
    /// its state), none turned into a string or an array of its own. A compaction does not gather them: see
    /// <see cref="Compaction"/>.
    /// </summary>
    /// <remarks>
    /// Why slices: read as arrays and strings, a compaction's accounts (when compactions still gathered them) were
    /// ~130 MB of the ~300 MB the detector's GC promoted in a 22 s phase of the e2e bench at 40,000 msg/s (174 MB with
    /// compactions off, 2026-12-01, bench/RESULTS.md §10).
    /// </remarks>
    public sealed class LiveAccounts(int capacity) : IDisposable
    {
        private readonly Dictionary<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> _accounts = new(capacity, Utf8.Instance);
        private readonly List<byte[]> _arrays = [];

        public int Count => _accounts.Count;

        /// <summary>Accounts that came from rows of the first layout (see <see cref="Set"/>).</summary>
        public int LegacyRows { get; private set; }

        /// <summary>An array of at least <paramref name="length"/> bytes to read the next chunk into (kept until disposed).</summary>
        public byte[] Rent(int length)
        {
            var array = ChunkPool.Rent(length);
            _arrays.Add(array);
            return array;
        }

        /// <summary>Applies a chunk read into an array from <see cref="Rent"/>. Throws on a chunk this version cannot read.</summary>
        public void Apply(ReadOnlyMemory<byte> chunk) => Read(chunk, (account, state) =>
        {
            if (state is { } bytes)
            {
                _accounts[account] = bytes;
            }
            else
            {
                _accounts.Remove(account);
            }
        });

        /// <summary>An account from a row of the first layout.</summary>
        public void Set(string account, byte[] state)
        {
            _accounts[Encoding.UTF8.GetBytes(account)] = state;
            LegacyRows++;
        }

        /// <summary>The live accounts by id, each state an array of its own (what a claim hands its partition).</summary>
        public Dictionary<string, byte[]> ToDictionary() =>
            _accounts.ToDictionary(a => Encoding.UTF8.GetString(a.Key.Span), a => a.Value.ToArray());

        /// <summary>The live accounts as chunks (a new base for the log).</summary>
        public Chunks Write()
        {
            var writer = new ChunkWriter();
            foreach (var (account, state) in _accounts)
            {
                writer.Put(account.Span, state.Span, removal: false);
            }

            return writer.Finish();
        }

        public void Dispose()
        {
            foreach (var array in _arrays)
            {
                ChunkPool.Return(array);
            }

            _arrays.Clear();
            _accounts.Clear();
        }

        private sealed class Utf8 : IEqualityComparer<ReadOnlyMemory<byte>>
        {
            public static readonly Utf8 Instance = new();

            public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

            public int GetHashCode(ReadOnlyMemory<byte> obj)
            {
                var hash = new HashCode();
                hash.AddBytes(obj.Span);
                return hash.ToHashCode();
            }
        }
    }

    /// <summary>
    /// A compaction that holds one chunk of the log at a time: the caller applies the log's chunks newest first, and
    /// each account's newest entry is the one kept (written into the new base's chunks if it is a state, left out if it
    /// is a removal); every older entry of it is skipped. The new base comes out in chunks as they fill
    /// (<see cref="TakeCompleted"/>), so what the compaction keeps is the accounts' ids seen so far, not the log.
    /// </summary>
    /// <remarks>
    /// Why: gathering the live accounts first (<see cref="LiveAccounts"/>) read the whole log into memory, two to three
    /// times a partition's accounts (hundreds of chunks for a partition of 40,000 accounts), and held it while the new
    /// base was written, on a thread of low priority: long enough for young collections to copy those arrays into gen1
    /// and gen2, and for a pool of arrays to run dry, in the e2e bench at 50,000 msg/s most of what gen1 collections
    /// promoted (bench/RESULTS.md §13). A partition of a million accounts would have needed its log's size in memory.
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

    /// <summary>
    /// A set of accounts' UTF-8 ids, exactly compared: their bytes in one array, found through an open-addressing index.
    /// No object per id. Hashes are randomized per process (the set lives for one compaction).
    /// </summary>
    private sealed class KeySet
    {
        private byte[] _bytes;
        private int _used;
        private int[] _starts;
        private int[] _lengths;
        private int[] _hashes;
        private int[] _slots; // an id's index plus one; 0 is empty
        private int _count;

        public KeySet(int capacity)
        {
            capacity = Math.Max(16, capacity);
            _bytes = new byte[capacity * 16];
            _starts = new int[capacity];
            _lengths = new int[capacity];
            _hashes = new int[capacity];
            _slots = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(capacity * 2))];
        }

        /// <summary>Empties the set, keeping its arrays.</summary>
        public void Clear()
        {
            Array.Clear(_slots);
            _count = 0;
            _used = 0;
        }

        /// <summary>Adds <paramref name="id"/>; false when it was already there.</summary>
        public bool Add(ReadOnlySpan<byte> id)
        {
            var hash = HashOf(id);
            var mask = _slots.Length - 1;
            var i = hash & mask;
            for (; _slots[i] != 0; i = (i + 1) & mask)
            {
                var k = _slots[i] - 1;
                if (_hashes[k] == hash && id.SequenceEqual(_bytes.AsSpan(_starts[k], _lengths[k])))
                {
                    return false;
                }
            }

            if (_count == _starts.Length)
            {
                Array.Resize(ref _starts, _count * 2);
                Array.Resize(ref _lengths, _count * 2);
                Array.Resize(ref _hashes, _count * 2);
            }

            if (_used + id.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + id.Length));
            }

            id.CopyTo(_bytes.AsSpan(_used));
            (_starts[_count], _lengths[_count], _hashes[_count]) = (_used, id.Length, hash);
            _used += id.Length;
            _slots[i] = ++_count;
            if (_count * 2 > _slots.Length)
            {
                Rehash(_slots.Length * 2);
            }

            return true;
        }

        private void Rehash(int size)
        {
            _slots = new int[size];
            var mask = size - 1;
            for (var k = 0; k < _count; k++)
            {
                var i = _hashes[k] & mask;
                while (_slots[i] != 0)
                {
                    i = (i + 1) & mask;
                }

                _slots[i] = k + 1;
            }
        }

        private static int HashOf(ReadOnlySpan<byte> id)
        {
            var hash = new HashCode();
            hash.AddBytes(id);
            return hash.ToHashCode() & int.MaxValue;
        }
    }

    private static int VarIntSize(int value)
    {
        var size = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7)
        {
            size++;
        }

        return size;
    }

    private static int WriteVarInt(Span<byte> span, int value)
    {
        var at = 0;
        var v = (uint)value;
        while (v >= 0x80)
        {
            span[at++] = (byte)(v | 0x80);
            v >>= 7;
        }

        span[at++] = (byte)v;
        return at;
    }

    private static int ReadVarInt(ReadOnlySpan<byte> chunk, ref int at)
    {
        var value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= chunk.Length)
            {
                throw new InvalidDataException("account log chunk ends inside a length");
            }

            var b = chunk[at++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("account log chunk holds a malformed length");
    }
}

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
        private readonly Chunks _chunks = new();
        private readonly ArrayBufferWriter<byte> _buffer = _scratch ??= new ArrayBufferWriter<byte>(ChunkBytes);

        public ChunkWriter()
        {
            _buffer.ResetWrittenCount();
            Start();
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

    // The chunks' arrays. A save's chunks wait for the database (behind other partitions' saves, on SQLite's one
    // thread) long enough to outlive the young generation: as new arrays they were copied into gen1 and gen2 by every
    // collection meanwhile; from a pool they are arrays that are old already. Sized for the saves of a node's
    // partitions in flight at once (a 12-partition node saves ~5 chunks each a second); beyond, arrays are just new.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 4 * ChunkBytes, maxArraysPerBucket: 256);

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
            var array = Pool.Rent(chunk.Length);
            chunk.CopyTo(array);
            _segments.Add(new ArraySegment<byte>(array, 0, chunk.Length));
        }

        public void Dispose()
        {
            foreach (var segment in _segments)
            {
                Pool.Return(segment.Array!);
            }

            _segments.Clear();
        }
    }

    /// <summary>Each entry of <paramref name="chunk"/> in order: the account's UTF-8 bytes and its state, or null for a removal.</summary>
    private static void Read(ReadOnlyMemory<byte> chunk, Action<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>?> entry)
    {
        var bytes = chunk.Span;
        if (bytes.Length == 0 || bytes[0] != Version)
        {
            throw new InvalidDataException($"account log chunk of version {(bytes.Length == 0 ? "(empty)" : bytes[0].ToString())}; this build reads version {Version}");
        }

        var at = 1;
        while (at < bytes.Length)
        {
            var accountBytes = ReadVarInt(bytes, ref at);
            if (at + accountBytes > bytes.Length)
            {
                throw new InvalidDataException("account log chunk ends inside an account id");
            }

            var account = chunk.Slice(at, accountBytes);
            at += accountBytes;
            var state = ReadVarInt(bytes, ref at);
            if (state == 0)
            {
                entry(account, null);
                continue;
            }

            if (at + state - 1 > bytes.Length)
            {
                throw new InvalidDataException("account log chunk ends inside an entry");
            }

            entry(account, chunk.Slice(at, state - 1));
            at += state - 1;
        }
    }

    /// <summary>
    /// A partition's live accounts as the store gathers them (for a claim, or a compaction): the log's chunks read into
    /// pooled arrays and applied in order (each state replaces the account's earlier one, each removal drops it), each
    /// account a slice of them (its UTF-8 id and its state), none turned into a string or an array of its own.
    /// </summary>
    /// <remarks>
    /// Why: a compaction reads a partition's whole log (two to three times its live accounts) and holds it while it
    /// writes the new base, long enough for every young collection meanwhile to copy it. Read as arrays, strings and
    /// slices, that was ~130 MB of the ~300 MB the detector's GC promoted in a 22 s phase of the e2e bench at 40,000
    /// msg/s (174 MB with compactions off, 2026-12-01, bench/RESULTS.md §10).
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
            var array = Pool.Rent(length);
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
                Pool.Return(array);
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

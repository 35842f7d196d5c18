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
        Write(changed.Select(c => (c.Key, (ReadOnlyMemory<byte>?)c.Value)).Concat(removed.Select(r => (r, (ReadOnlyMemory<byte>?)null))));

    /// <summary>Chunks holding <paramref name="entries"/> in order (a null state is a removal).</summary>
    public static Chunks Write(IEnumerable<(string Account, ReadOnlyMemory<byte>? State)> entries)
    {
        var chunks = new Chunks();
        var buffer = _scratch ??= new ArrayBufferWriter<byte>(ChunkBytes);
        buffer.ResetWrittenCount();
        buffer.GetSpan(1)[0] = Version;
        buffer.Advance(1);
        foreach (var (account, state) in entries)
        {
            var accountBytes = Encoding.UTF8.GetByteCount(account);
            var stateBytes = state?.Length ?? 0;
            var size = VarIntSize(accountBytes) + accountBytes + VarIntSize(stateBytes + 1) + stateBytes;
            if (buffer.WrittenCount > 1 && buffer.WrittenCount + size > ChunkBytes)
            {
                chunks.Add(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
                buffer.GetSpan(1)[0] = Version;
                buffer.Advance(1);
            }

            var span = buffer.GetSpan(size);
            var at = WriteVarInt(span, accountBytes);
            at += Encoding.UTF8.GetBytes(account, span[at..]);
            at += WriteVarInt(span[at..], state is null ? 0 : stateBytes + 1);
            state?.Span.CopyTo(span[at..]);
            buffer.Advance(at + stateBytes);
        }

        if (buffer.WrittenCount > 1)
        {
            chunks.Add(buffer.WrittenSpan);
        }

        if (buffer.Capacity > 4 * ChunkBytes)
        {
            _scratch = null; // an entry far larger than a chunk grew it: do not keep that for the thread's life
        }

        return chunks;
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

    /// <summary>
    /// Applies <paramref name="chunk"/> to <paramref name="accounts"/>: each state replaces the account's earlier one,
    /// each removal drops it. The states stay slices of the chunk (no copy). Throws on a chunk this version cannot read.
    /// </summary>
    public static void Apply(byte[] chunk, Dictionary<string, ReadOnlyMemory<byte>> accounts)
    {
        if (chunk.Length == 0 || chunk[0] != Version)
        {
            throw new InvalidDataException($"account log chunk of version {(chunk.Length == 0 ? "(empty)" : chunk[0].ToString())}; this build reads version {Version}");
        }

        var at = 1;
        while (at < chunk.Length)
        {
            var accountBytes = ReadVarInt(chunk, ref at);
            if (at + accountBytes > chunk.Length)
            {
                throw new InvalidDataException("account log chunk ends inside an account id");
            }

            var account = Encoding.UTF8.GetString(chunk, at, accountBytes);
            at += accountBytes;
            var state = ReadVarInt(chunk, ref at);
            if (state == 0)
            {
                accounts.Remove(account);
                continue;
            }

            if (at + state - 1 > chunk.Length)
            {
                throw new InvalidDataException("account log chunk ends inside an entry");
            }

            accounts[account] = new ReadOnlyMemory<byte>(chunk, at, state - 1);
            at += state - 1;
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

    private static int ReadVarInt(byte[] chunk, ref int at)
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

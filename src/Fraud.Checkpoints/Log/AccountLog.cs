using Fraud.Actors.Checkpoints;
using System.Buffers;
using System.Text;

namespace Fraud.Checkpoints.Log;

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
public static partial class AccountLog
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

    // Where a thread assembles a chunk before copying it into a pooled array of its size.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _scratch;

    // The chunks' arrays come from ChunkPool. A save's chunks wait for the database (behind other partitions' saves, on
    // SQLite's one thread) long enough to outlive the young generation, and a compaction holds hundreds of them: as new
    // ordinary arrays they were copied into gen1 and gen2 by every collection meanwhile (see ChunkPool for why pinned).

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

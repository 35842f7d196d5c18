using System.Text;

namespace Fraud.Actors.State;

/// <summary>
/// The bytes an account's state is checkpointed as: a format version byte, then the state in that version's form. It
/// writes <see cref="CurrentVersion"/> and reads every version it knows, each with a reader of its own, so a checkpoint
/// written by an earlier release restores under this one; a version it does not know (a newer release's) or bytes it
/// cannot decode are an <see cref="UnreadableStateException"/> with one clear reason, never a crash.
/// </summary>
public static class AccountStateCodec
{
    /// <summary>The version this code writes.</summary>
    public const byte CurrentVersion = AccountStateV2.Version4;

    // One buffer and writer per thread, reused: a checkpoint encodes thousands of accounts a second.
    [ThreadStatic]
    private static MemoryStream? _buffer;

    [ThreadStatic]
    private static BinaryWriter? _writer;

    public static byte[] Write(AccountState state) => Encode(state).ToArray();

    /// <summary>The state's bytes in this thread's buffer: valid until the thread's next encoding (copy them, then go on).</summary>
    internal static ReadOnlySpan<byte> Encode(AccountState state)
    {
        var buffer = _buffer ??= new MemoryStream(4096);
        var w = _writer ??= new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        buffer.SetLength(0);
        w.Write(CurrentVersion);
        AccountStateV2.Write(w, state);
        w.Flush();
        return buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
    }

    public static AccountState Read(ReadOnlySpan<byte> bytes, AccountArena? arena = null) => Read(bytes.ToArray(), arena);

    /// <summary>The state in <paramref name="bytes"/>, its events and verdicts in <paramref name="arena"/> (its own if none).</summary>
    public static AccountState Read(byte[] bytes, AccountArena? arena = null)
    {
        var state = arena is null ? new AccountState() : new AccountState(arena);
        try
        {
            ReadInto(bytes, state);
        }
        catch
        {
            state.Release(); // a shared arena keeps no half-read account
            throw;
        }

        return state;
    }

    /// <summary>Reads the state in <paramref name="bytes"/> into <paramref name="state"/>, an empty one (a table's new row).</summary>
    internal static void ReadInto(byte[] bytes, AccountState state)
    {
        if (bytes.Length == 0)
        {
            throw new UnreadableStateException("an account state of no bytes");
        }

        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        try
        {
            switch (version)
            {
                case AccountStateV1.Version:
                    AccountStateV1.Read(r, state);
                    break;
                case AccountStateV2.Version or AccountStateV2.Version3 or AccountStateV2.Version4:
                    AccountStateV2.Read(r, state, version);
                    break;
                default:
                    throw new UnreadableStateException(version > CurrentVersion
                        ? $"its checkpoint holds account states of format version {version}, newer than this node reads ({CurrentVersion}): run the release that wrote it, or a later one"
                        : $"its checkpoint holds account states of an unknown format version {version} (this node reads 1 to {CurrentVersion})");
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new UnreadableStateException($"an account state of format version {version} cannot be decoded ({e.Message})");
        }
    }
}

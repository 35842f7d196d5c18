using System.Text;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Checkpoints;

/// <summary>
/// The bytes an account's state is checkpointed as: a version byte, then its windows and its remembered verdicts, in a
/// compact binary form (about 20 bytes per remembered legit verdict, 24 per window entry). Everything the rules and idempotence read is
/// kept, so an account restored on another node scores its next transaction exactly as it would have here.
/// </summary>
public static class AccountStateCodec
{
    private const byte Version = 1;

    // One buffer, writer and node list per thread, reused: a checkpoint encodes thousands of accounts a second, and each
    // should cost one array (the result), not a stream, a writer and a list per account.
    [ThreadStatic]
    private static MemoryStream? _buffer;

    [ThreadStatic]
    private static BinaryWriter? _writer;

    [ThreadStatic]
    private static List<string>? _nodes;

    public static byte[] Write(AccountState state) => Encode(state).ToArray();

    /// <summary>The state's bytes in this thread's buffer: valid until the thread's next encoding (copy them, then go on).</summary>
    internal static ReadOnlySpan<byte> Encode(AccountState state)
    {
        var buffer = _buffer ??= new MemoryStream(4096);
        var w = _writer ??= new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true);
        var nodes = _nodes ??= new List<string>(1);
        buffer.SetLength(0);
        nodes.Clear();
        w.Write(Version);
        w.Write(state.NewestTicks);
        w.Write7BitEncodedInt(state.Events.Count);
        foreach (var e in state.EventSpan)
        {
            w.Write(e.Ticks);
            w.Write(e.Amount);
            WriteNullable(w, e.Country);
        }

        // Remembered verdicts in the order they were remembered, so the oldest is still forgotten first. Most are
        // legit (no rules, score 0) and come from one node: those cost a flag byte, the time and a node index.
        w.Write7BitEncodedInt(state.Verdicts.Count);
        for (var k = 0; k < state.Verdicts.Count; k++)
        {
            var verdict = state.Verdicts.At(state.Arena, state.Row, k);
            var node = nodes.IndexOf(verdict.Node);
            var withRules = verdict.WithRules;
            var flags = (byte)((verdict.Late ? 1 : 0) | (withRules is not null ? 2 : 0) | (node < 0 ? 4 : 0));
            w.Write(verdict.Id);
            w.Write(flags);
            w.Write(verdict.DetectedAtTicks);
            if (node < 0)
            {
                nodes.Add(verdict.Node);
                w.Write(verdict.Node);
            }
            else
            {
                w.Write7BitEncodedInt(node);
            }

            if (withRules is not null)
            {
                w.Write(withRules.Score);
                WriteRules(w, withRules.Rules);
            }
        }

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
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"account state version {version} is not {Version}");
        }

        var newest = r.ReadInt64();
        state.NewestTicks = newest;
        var events = r.Read7BitEncodedInt();
        for (var i = 0; i < events; i++)
        {
            state.Events.Add(state.Arena.Events, new AccountEvent(r.ReadInt64(), r.ReadDecimal(), ReadNullable(r)));
        }

        var verdicts = r.Read7BitEncodedInt();
        var nodes = new List<string>(1);
        for (var i = 0; i < verdicts; i++)
        {
            var id = r.ReadUInt64();
            var flags = r.ReadByte();
            var detectedAt = r.ReadInt64();
            string node;
            if ((flags & 4) != 0)
            {
                node = r.ReadString();
                nodes.Add(node);
            }
            else
            {
                node = nodes[r.Read7BitEncodedInt()];
            }

            var late = (flags & 1) != 0;
            Verdict? withRules = null;
            if ((flags & 2) != 0)
            {
                var score = r.ReadDouble();
                var rules = ReadRules(r);
                withRules = new Verdict(score, rules, new DateTimeOffset(detectedAt, TimeSpan.Zero), node, late);
            }

            state.Verdicts.Add(state.Arena, state.Row, new RememberedVerdict(id, detectedAt, node, late, withRules), int.MaxValue);
        }
    }

    /// <summary>A verdict's rule hits: their count, then each one's id, observed value, limit and window.</summary>
    public static void WriteRules(BinaryWriter w, IReadOnlyList<RuleHit> rules)
    {
        w.Write7BitEncodedInt(rules.Count);
        for (var h = 0; h < rules.Count; h++)
        {
            var hit = rules[h];
            w.Write(hit.Id);
            w.Write(hit.Observed);
            w.Write(hit.Limit);
            WriteNullable(w, hit.Window);
        }
    }

    /// <summary>Rule hits as <see cref="WriteRules"/> wrote them.</summary>
    public static RuleHit[] ReadRules(BinaryReader r)
    {
        var rules = new RuleHit[r.Read7BitEncodedInt()];
        for (var h = 0; h < rules.Length; h++)
        {
            rules[h] = new RuleHit(r.ReadString(), r.ReadDecimal(), r.ReadDecimal(), ReadNullable(r));
        }

        return rules;
    }

    /// <summary>A string that may be null: a flag, then the string.</summary>
    public static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    public static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}

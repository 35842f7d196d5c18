using System.Text;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Checkpoints;

/// <summary>
/// The bytes an account's state is checkpointed as: a version byte, then its windows and its remembered verdicts, in a
/// compact binary form (a few dozen bytes per remembered transaction). Everything the rules and idempotence read is
/// kept, so an account restored on another node scores its next transaction exactly as it would have here.
/// </summary>
public static class AccountStateCodec
{
    private const byte Version = 1;

    public static byte[] Write(AccountState state)
    {
        using var buffer = new MemoryStream(64 + state.Events.Count * 24 + state.IdOrder.Count * 24);
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Version);
            w.Write(state.NewestTimestamp?.UtcTicks ?? 0L);
            w.Write7BitEncodedInt(state.Events.Count);
            foreach (var e in state.Events)
            {
                w.Write(e.Ticks);
                w.Write(e.Amount);
                WriteNullable(w, e.Country);
            }

            // Remembered verdicts in the order they were remembered, so the oldest is still forgotten first.
            w.Write7BitEncodedInt(state.IdOrder.Count);
            foreach (var id in state.IdOrder)
            {
                var verdict = state.VerdictsById[id];
                w.Write(id);
                w.Write(verdict.Score);
                w.Write(verdict.DetectedAt.UtcTicks);
                w.Write(verdict.DetectorNode);
                w.Write(verdict.Late);
                w.Write7BitEncodedInt(verdict.Rules.Count);
                foreach (var hit in verdict.Rules)
                {
                    w.Write(hit.Id);
                    w.Write(hit.Observed);
                    w.Write(hit.Limit);
                    WriteNullable(w, hit.Window);
                }
            }
        }

        return buffer.ToArray();
    }

    public static AccountState Read(ReadOnlySpan<byte> bytes) => Read(bytes.ToArray());

    public static AccountState Read(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = r.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"account state version {version} is not {Version}");
        }

        var state = new AccountState();
        var newest = r.ReadInt64();
        state.NewestTimestamp = newest == 0 ? null : new DateTimeOffset(newest, TimeSpan.Zero);
        var events = r.Read7BitEncodedInt();
        for (var i = 0; i < events; i++)
        {
            state.Events.Add(new AccountEvent(r.ReadInt64(), r.ReadDecimal(), ReadNullable(r)));
        }

        var verdicts = r.Read7BitEncodedInt();
        for (var i = 0; i < verdicts; i++)
        {
            var id = r.ReadUInt64();
            var score = r.ReadDouble();
            var detectedAt = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
            var node = r.ReadString();
            var late = r.ReadBoolean();
            var hitCount = r.Read7BitEncodedInt();
            IReadOnlyList<RuleHit> hits = hitCount == 0 ? Array.Empty<RuleHit>() : new RuleHit[hitCount];
            for (var h = 0; h < hitCount; h++)
            {
                ((RuleHit[])hits)[h] = new RuleHit(r.ReadString(), r.ReadDecimal(), r.ReadDecimal(), ReadNullable(r));
            }

            state.VerdictsById[id] = new Verdict(score, hits, detectedAt, node, late);
            state.IdOrder.Enqueue(id);
        }

        return state;
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}

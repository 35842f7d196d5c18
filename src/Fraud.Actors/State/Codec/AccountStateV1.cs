using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// Format version 1 of an account state: the newest event time, the events (time, amount, country), then the remembered
/// verdicts in the order they were remembered, so the oldest is still forgotten first. Most verdicts are legit and from
/// one node: those cost a flag byte, the time and a node index (about 20 bytes; an event 24).
/// </summary>
internal static class AccountStateV1
{
    public const byte Version = 1;

    [ThreadStatic]
    private static List<string>? _nodes;

    public static void Write(BinaryWriter w, AccountState state)
    {
        var nodes = _nodes ??= new List<string>(1);
        nodes.Clear();
        w.Write(state.NewestTicks);
        w.Write7BitEncodedInt(state.Events.Count);
        foreach (var e in state.EventSpan)
        {
            w.Write(e.Ticks);
            w.Write(e.Amount);
            BinaryVerdicts.WriteNullable(w, e.Country);
        }

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
                BinaryVerdicts.WriteRules(w, withRules.Rules);
            }
        }
    }

    public static void Read(BinaryReader r, AccountState state)
    {
        state.NewestTicks = r.ReadInt64();
        var events = r.Read7BitEncodedInt();
        for (var i = 0; i < events; i++)
        {
            state.Events.Add(state.Arena.Events, new AccountEvent(r.ReadInt64(), r.ReadDecimal(), BinaryVerdicts.ReadNullable(r)));
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
                var rules = BinaryVerdicts.ReadRules(r);
                withRules = new Verdict(score, rules, new DateTimeOffset(detectedAt, TimeSpan.Zero), node, late);
            }

            state.Verdicts.Add(state.Arena, state.Row, new RememberedVerdict(id, detectedAt, node, late, withRules), int.MaxValue);
        }
    }
}

using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// Format version 1 of an account state, as releases before the rule language wrote it (read only): the newest event
/// time, the events (time, amount, country), then the remembered verdicts in the order they were remembered, so the
/// oldest is still forgotten first. A verdict with rules was a block; its hits are version 1 with no values.
/// </summary>
internal static class AccountStateV1
{
    public const byte Version = 1;

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
                var rules = BinaryVerdicts.ReadRulesV1(r);
                withRules = new Verdict(score, rules, new DateTimeOffset(detectedAt, TimeSpan.Zero), node, late);
            }

            state.Verdicts.Add(state.Arena, state.Row, new RememberedVerdict(id, detectedAt, node, late, withRules), int.MaxValue);
        }
    }
}

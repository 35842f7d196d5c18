using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// Format version 2 of an account state: as version 1, plus what the rule language needs. Each event adds a byte saying
/// which of currency, category, target and device follow (only those kept cost bytes); each remembered verdict with
/// rules adds its action, and each hit its rule's version and the values its comparisons saw.
/// </summary>
internal static class AccountStateV2
{
    public const byte Version = 2;

    private const byte HasCurrency = 1, HasCategory = 2, HasTarget = 4, HasDevice = 8, HasField1 = 16, HasField2 = 32;

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
            var kept = (byte)((e.CurrencyCode != 0 ? HasCurrency : 0) | (e.Category != 0 ? HasCategory : 0)
                | (e.Target != 0 ? HasTarget : 0) | (e.Device != 0 ? HasDevice : 0) | (e.Field1 != 0 ? HasField1 : 0) | (e.Field2 != 0 ? HasField2 : 0));
            w.Write(kept);
            if (e.CurrencyCode != 0) w.Write(e.CurrencyCode);
            if (e.Category != 0) w.Write(e.Category);
            if (e.Target != 0) w.Write(e.Target);
            if (e.Device != 0) w.Write(e.Device);
            if (e.Field1 != 0) w.Write(e.Field1);
            if (e.Field2 != 0) w.Write(e.Field2);
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
                w.Write((byte)withRules.Action);
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
            var (ticks, amount, country) = (r.ReadInt64(), r.ReadDecimal(), BinaryVerdicts.ReadNullable(r));
            var kept = r.ReadByte();
            var currency = (kept & HasCurrency) != 0 ? r.ReadUInt16() : (ushort)0;
            var category = (kept & HasCategory) != 0 ? r.ReadUInt32() : 0;
            var target = (kept & HasTarget) != 0 ? r.ReadUInt32() : 0;
            var device = (kept & HasDevice) != 0 ? r.ReadUInt32() : 0;
            var field1 = (kept & HasField1) != 0 ? r.ReadUInt32() : 0;
            var field2 = (kept & HasField2) != 0 ? r.ReadUInt32() : 0;
            state.Events.Add(state.Arena.Events, new AccountEvent(ticks, amount, Transactions.Countries.Number(country), currency, category, target, device, field1, field2));
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
                var action = r.ReadByte();
                if (action > (byte)VerdictAction.Allow)
                {
                    throw new FormatException($"a verdict of unknown action {action}");
                }

                var rules = BinaryVerdicts.ReadRules(r);
                withRules = new Verdict(score, rules, new DateTimeOffset(detectedAt, TimeSpan.Zero), node, late) { Action = (VerdictAction)action };
            }

            state.Verdicts.Add(state.Arena, state.Row, new RememberedVerdict(id, detectedAt, node, late, withRules), int.MaxValue);
        }
    }
}

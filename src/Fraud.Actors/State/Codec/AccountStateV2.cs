using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// Format version 2 of an account state: as version 1, plus what the rule language needs. Each event adds a byte saying
/// which of currency, category, target and device follow (only those kept cost bytes); each remembered verdict with
/// rules adds its action, and each hit its rule's version and the values its comparisons saw. Version 3 adds to a
/// verdict its rule-set version and its shadow hits, each behind a flag (none costs nothing). Version 4, what this code
/// writes, adds behind a flag the hits whose history was partial (<see cref="RuleHit.PartialUntil"/>) and until when.
/// </summary>
internal static class AccountStateV2
{
    public const byte Version = 2;

    public const byte Version3 = 3;

    public const byte Version4 = 4;

    private const byte IsLate = 1, WithRules = 2, NewNode = 4, WithRuleSet = 8, WithShadow = 16, WithPartial = 32;

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
            var shadow = withRules?.Shadow ?? [];
            var partial = withRules is not null && (HasPartial(withRules.Rules) || HasPartial(shadow));
            var flags = (byte)((verdict.Late ? IsLate : 0) | (withRules is not null ? WithRules : 0) | (node < 0 ? NewNode : 0)
                | (verdict.RuleSet is not null ? WithRuleSet : 0) | (shadow.Count > 0 ? WithShadow : 0) | (partial ? WithPartial : 0));
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

            if (verdict.RuleSet is { } ruleSet)
            {
                w.Write7BitEncodedInt64(ruleSet.Rules);
                w.Write7BitEncodedInt64(ruleSet.Lists);
            }

            if (withRules is not null)
            {
                w.Write(withRules.Score);
                w.Write((byte)withRules.Action);
                BinaryVerdicts.WriteRules(w, withRules.Rules);
                if (shadow.Count > 0)
                {
                    BinaryVerdicts.WriteRules(w, shadow);
                }

                if (partial)
                {
                    WritePartial(w, withRules.Rules, shadow);
                }
            }
        }
    }

    private static bool HasPartial(IReadOnlyList<RuleHit> hits)
    {
        for (var k = 0; k < hits.Count; k++)
        {
            if (hits[k].PartialUntil is not null) return true;
        }

        return false;
    }

    // The partial hits as (index among the hits then the shadow hits, until when): only those, so a whole verdict costs nothing.
    private static void WritePartial(BinaryWriter w, IReadOnlyList<RuleHit> rules, IReadOnlyList<RuleHit> shadow)
    {
        var all = rules.Concat(shadow).Select((hit, index) => (hit.PartialUntil, index)).Where(h => h.PartialUntil is not null).ToList();
        w.Write7BitEncodedInt(all.Count);
        foreach (var (until, index) in all)
        {
            w.Write7BitEncodedInt(index);
            w.Write(until!.Value.UtcTicks);
        }
    }

    private static void ReadPartial(BinaryReader r, RuleHit[] rules, RuleHit[] shadow)
    {
        var count = r.Read7BitEncodedInt();
        for (var k = 0; k < count; k++)
        {
            var (index, until) = (r.Read7BitEncodedInt(), new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero));
            if (index < rules.Length)
            {
                rules[index] = rules[index] with { PartialUntil = until };
            }
            else if (index - rules.Length < shadow.Length)
            {
                shadow[index - rules.Length] = shadow[index - rules.Length] with { PartialUntil = until };
            }
            else
            {
                throw new FormatException($"a partial hit {index} of a verdict with {rules.Length + shadow.Length} hits");
            }
        }
    }

    /// <summary>Reads format <paramref name="version"/> (2, 3 or 4) into <paramref name="state"/>.</summary>
    public static void Read(BinaryReader r, AccountState state, byte version)
    {
        // Format 2 wrote only the first three flags: any other bit there is damage, not a feature.
        var known = version switch
        {
            >= Version4 => IsLate | WithRules | NewNode | WithRuleSet | WithShadow | WithPartial,
            Version3 => IsLate | WithRules | NewNode | WithRuleSet | WithShadow,
            _ => IsLate | WithRules | NewNode,
        };
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
            if ((flags & ~known) != 0)
            {
                throw new FormatException($"a verdict of unknown flags {flags}");
            }

            var detectedAt = r.ReadInt64();
            string node;
            if ((flags & NewNode) != 0)
            {
                node = r.ReadString();
                nodes.Add(node);
            }
            else
            {
                node = nodes[r.Read7BitEncodedInt()];
            }

            var late = (flags & IsLate) != 0;
            RuleSetVersion? ruleSet = (flags & WithRuleSet) != 0 ? new RuleSetVersion(r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64()) : null;
            Verdict? withRules = null;
            if ((flags & WithRules) != 0)
            {
                var score = r.ReadDouble();
                var action = r.ReadByte();
                if (action > (byte)VerdictAction.Allow)
                {
                    throw new FormatException($"a verdict of unknown action {action}");
                }

                var rules = BinaryVerdicts.ReadRules(r);
                var shadow = (flags & WithShadow) != 0 ? BinaryVerdicts.ReadRules(r) : [];
                if ((flags & WithPartial) != 0)
                {
                    ReadPartial(r, rules, shadow);
                }
                withRules = new Verdict(score, rules, new DateTimeOffset(detectedAt, TimeSpan.Zero), node, late)
                {
                    Action = (VerdictAction)action, RuleSet = ruleSet, Shadow = shadow,
                };
            }

            state.Verdicts.Add(state.Arena, state.Row, new RememberedVerdict(id, detectedAt, node, late, withRules, ruleSet), int.MaxValue);
        }
    }
}

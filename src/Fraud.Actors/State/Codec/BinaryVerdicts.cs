using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>The binary form of rule hits and of strings that may be null: the checkpoints' and the dashboard ring's.</summary>
public static class BinaryVerdicts
{
    /// <summary>
    /// A verdict's rule hits: their count, then each one's id, observed value, limit, window, the rule's version and the
    /// values its comparisons saw (expression, then 0 missing, 1 a number, 2 a text).
    /// </summary>
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
            w.Write7BitEncodedInt(hit.Version);
            w.Write7BitEncodedInt(hit.Values.Count);
            for (var v = 0; v < hit.Values.Count; v++)
            {
                var seen = hit.Values[v];
                w.Write(seen.Expression);
                if (seen.Number is { } number)
                {
                    w.Write((byte)1);
                    w.Write(number);
                }
                else if (seen.Text is { } text)
                {
                    w.Write((byte)2);
                    w.Write(text);
                }
                else
                {
                    w.Write((byte)0);
                }
            }
        }
    }

    /// <summary>Rule hits as <see cref="WriteRules"/> wrote them.</summary>
    public static RuleHit[] ReadRules(BinaryReader r)
    {
        var rules = new RuleHit[r.Read7BitEncodedInt()];
        for (var h = 0; h < rules.Length; h++)
        {
            var hit = new RuleHit(r.ReadString(), r.ReadDecimal(), r.ReadDecimal(), ReadNullable(r));
            var version = r.Read7BitEncodedInt();
            var values = new SeenValue[r.Read7BitEncodedInt()];
            for (var v = 0; v < values.Length; v++)
            {
                var expression = r.ReadString();
                values[v] = r.ReadByte() switch
                {
                    1 => new SeenValue(expression, r.ReadDecimal()),
                    2 => new SeenValue(expression, null, r.ReadString()),
                    0 => new SeenValue(expression, null),
                    var kind => throw new FormatException($"a seen value of unknown kind {kind}"),
                };
            }

            rules[h] = hit with { Version = version, Values = values };
        }

        return rules;
    }

    /// <summary>Rule hits of format version 1 (no rule version, no values): each hit is version 1 with no values.</summary>
    public static RuleHit[] ReadRulesV1(BinaryReader r)
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

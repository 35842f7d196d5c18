using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>The binary form of rule hits and of strings that may be null: the checkpoints' and the dashboard ring's.</summary>
public static class BinaryVerdicts
{
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

using System.Globalization;

namespace Fraud.Actors.Rules;

/// <summary>
/// Which rule set decided: how far into the rule topic (<see cref="Rules"/>) and the list topic (<see cref="Lists"/>)
/// it was read, as their next offsets added over partitions. Two nodes at the same version hold the same rules and
/// lists, since each is a prefix of its topic; written <c>rules.lists</c> (<c>14.7</c>), and it only rises.
/// </summary>
public readonly record struct RuleSetVersion(long Rules, long Lists)
{
    public override string ToString() => Rules.ToString(CultureInfo.InvariantCulture) + "." + Lists.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out RuleSetVersion version)
    {
        version = default;
        var dot = text?.IndexOf('.') ?? -1;
        if (dot <= 0
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var rules)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var lists))
        {
            return false;
        }

        version = new RuleSetVersion(rules, lists);
        return true;
    }
}

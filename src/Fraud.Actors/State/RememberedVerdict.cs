using Fraud.Actors.Rules;

namespace Fraud.Actors.State;

/// <summary>
/// A verdict as an account remembers it: a legit one (the common case) as its time, node, lateness and rule set, with no object of
/// its own; one with rules as the very object first returned (they are rare, and their explanation is worth keeping whole).
/// </summary>
internal readonly record struct RememberedVerdict(ulong Id, long DetectedAtTicks, string Node, bool Late, Verdict? WithRules, RuleSetVersion? RuleSet = null)
{
    public static RememberedVerdict Of(ulong id, Verdict verdict) =>
        new(id, verdict.DetectedAt.UtcTicks, verdict.DetectorNode, verdict.Late, verdict.Rules.Count > 0 || verdict.Shadow.Count > 0 ? verdict : null, verdict.RuleSet);

    /// <summary>The verdict first returned, equal in every field (the same object when it had rules).</summary>
    public Verdict ToVerdict() =>
        WithRules ?? new Verdict(0, Array.Empty<RuleHit>(), new DateTimeOffset(DetectedAtTicks, TimeSpan.Zero), Node, Late) { RuleSet = RuleSet };
}

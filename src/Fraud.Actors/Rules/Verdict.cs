namespace Fraud.Actors.Rules;

/// <summary>
/// The explanation attached to every scored transaction. Legit verdicts have no rules. A redelivered transaction gets
/// its first verdict back (equal in every field: same <see cref="DetectedAt"/> and node), so duplicates downstream are identical.
/// </summary>
public sealed record Verdict(double Score, IReadOnlyList<RuleHit> Rules, DateTimeOffset DetectedAt, string DetectorNode, bool Late = false)
{
    /// <summary>What the rules decided; the built-in rules only block, so a verdict with hits blocks unless told otherwise.</summary>
    public VerdictAction Action { get; init; } = Rules.Count > 0 ? VerdictAction.Block : VerdictAction.Legit;

    /// <summary>The rule set that decided (from the rule topics); null when the rules came from a file read at start.</summary>
    public RuleSetVersion? RuleSet { get; init; }

    /// <summary>The shadow rules that matched: reported, never part of the action or the score.</summary>
    public IReadOnlyList<RuleHit> Shadow { get; init; } = Array.Empty<RuleHit>();

    public bool IsFraud => Action == VerdictAction.Block;

    public bool IsReview => Action == VerdictAction.Review;
}

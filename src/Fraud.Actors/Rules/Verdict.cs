namespace Fraud.Actors.Rules;

/// <summary>
/// The explanation attached to every scored transaction. Legit verdicts have no rules. A redelivered transaction gets
/// its first verdict back (equal in every field: same <see cref="DetectedAt"/> and node), so duplicates downstream are identical.
/// </summary>
public sealed record Verdict(double Score, IReadOnlyList<RuleHit> Rules, DateTimeOffset DetectedAt, string DetectorNode, bool Late = false)
{
    public bool IsFraud => Rules.Count > 0;
}

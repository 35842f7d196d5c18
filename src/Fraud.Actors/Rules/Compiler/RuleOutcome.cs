namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// The active rules that matched, in file order, the action they decide, and the score over the block and review hits;
/// then the shadow rules that matched, which decide nothing.
/// </summary>
public readonly record struct RuleOutcome(IReadOnlyList<RuleHit> Hits, VerdictAction Action, double Score, IReadOnlyList<RuleHit> Shadow);

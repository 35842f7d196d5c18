namespace Fraud.Actors.Rules.Compiler;

/// <summary>The rules that matched, in file order, the action they decide, and the score over the block and review hits.</summary>
public readonly record struct RuleOutcome(IReadOnlyList<RuleHit> Hits, VerdictAction Action, double Score);

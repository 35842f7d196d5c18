namespace Fraud.Actors.Rules.Compiler;

/// <summary>What the rules decided: allow beats block, block beats review, and nothing matched is legit.</summary>
public enum RuleDecision
{
    Legit,
    Review,
    Block,
    Allow,
}

/// <summary>The rules that matched, in file order, the decision, and the score over the block and review hits.</summary>
public readonly record struct RuleOutcome(IReadOnlyList<RuleHit> Hits, RuleDecision Decision, double Score);

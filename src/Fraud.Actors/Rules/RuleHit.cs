namespace Fraud.Actors.Rules;

/// <summary>One rule that fired: what it saw, the limit it applies, over which window (null when instantaneous).</summary>
public sealed record RuleHit(string Id, decimal Observed, decimal Limit, string? Window);

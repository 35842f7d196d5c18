namespace Fraud.Actors.Rules;

/// <summary><c>velocity-count</c>: more than <see cref="MaxCount"/> transactions of one account within the window.</summary>
public sealed class VelocityCountRule : RuleBase
{
    public const string Id = "velocity-count";

    public int MaxCount { get; set; } = 5;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}

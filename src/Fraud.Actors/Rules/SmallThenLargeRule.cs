namespace Fraud.Actors.Rules;

/// <summary><c>small-then-large</c>: an amount under <see cref="SmallBelow"/> then one over <see cref="LargeAbove"/> within the window.</summary>
public sealed class SmallThenLargeRule : RuleBase
{
    public const string Id = "small-then-large";

    public decimal SmallBelow { get; set; } = 1.00m;

    public decimal LargeAbove { get; set; } = 500m;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}

namespace Fraud.Actors.Rules;

/// <summary><c>velocity-amount</c>: the sum of one account's amounts within the window above <see cref="MaxSum"/>.</summary>
public sealed class VelocityAmountRule : RuleBase
{
    public const string Id = "velocity-amount";

    public decimal MaxSum { get; set; } = 2000m;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}

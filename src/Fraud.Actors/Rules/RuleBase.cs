namespace Fraud.Actors.Rules;

public abstract class RuleBase
{
    public bool Enabled { get; set; } = true;

    /// <summary>Contribution to the score, in [0, 1].</summary>
    public double Weight { get; set; } = 0.9;
}

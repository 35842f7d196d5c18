namespace Fraud.Actors.Rules;

/// <summary><c>large-amount</c>: amount ≥ threshold (the seed's rule).</summary>
public sealed class LargeAmountRule : RuleBase
{
    public const string Id = "large-amount";

    public decimal Threshold { get; set; } = 900m;
}

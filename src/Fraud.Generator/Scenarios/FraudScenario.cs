namespace Fraud.Generator.Scenarios;

/// <summary>The injected fraud patterns. Each labels only the transactions that make the pattern fraudulent.</summary>
public static class FraudScenario
{
    /// <summary>One amount of 900 or more: the seed's case.</summary>
    public const string LargeAmount = "large-amount";

    /// <summary>Eight small payments within seconds; from the sixth on, the card moves faster than any person pays.</summary>
    public const string VelocityBurst = "velocity-burst";

    /// <summary>Four payments of 700–850 within seconds; those that take the sum past 2,000 are labelled.</summary>
    public const string AmountSpree = "amount-spree";

    /// <summary>A card test under 1.00, then a payment over 500 within seconds; the second is labelled.</summary>
    public const string SmallThenLarge = "small-then-large";

    /// <summary>A payment at home, then one on another continent seconds later; the second is labelled.</summary>
    public const string ImpossibleTravel = "impossible-travel";

    public static IReadOnlyList<string> All { get; } = [LargeAmount, VelocityBurst, AmountSpree, SmallThenLarge, ImpossibleTravel];
}

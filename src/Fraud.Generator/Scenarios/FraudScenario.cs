namespace Fraud.Generator.Scenarios;

/// <summary>
/// The injected fraud patterns. In clean traffic each labels only the transactions that make the pattern fraudulent;
/// in realistic traffic every transaction of the compromised card's session is labelled, as a chargeback would be.
/// </summary>
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

    /// <summary>Realistic traffic only: four to six payments of 150–450 (USD worth), minutes apart, under every window.</summary>
    public const string LowAndSlow = "low-and-slow";

    /// <summary>Realistic traffic only: three or four payments of 380–480 (USD worth) within a minute, summing under 2,000.</summary>
    public const string UnderTheLimit = "under-the-limit";

    public static IReadOnlyList<string> All { get; } = [LargeAmount, VelocityBurst, AmountSpree, SmallThenLarge, ImpossibleTravel];

    /// <summary>The scenarios of realistic traffic: today's and the two made to slip under the default rules.</summary>
    public static IReadOnlyList<string> Realistic { get; } = [.. All, LowAndSlow, UnderTheLimit];
}

namespace Fraud.Actors.Rules;

/// <summary>
/// <c>impossible-travel</c>: two countries (by centroid) farther apart than <see cref="MaxSpeedKmh"/> allows in the
/// time between the transactions; only pairs within the window are compared.
/// </summary>
public sealed class ImpossibleTravelRule : RuleBase
{
    public const string Id = "impossible-travel";

    public double MaxSpeedKmh { get; set; } = 900;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

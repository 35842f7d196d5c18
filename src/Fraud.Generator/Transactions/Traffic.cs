namespace Fraud.Generator.Transactions;

/// <summary>
/// Clean traffic plants only what the default rules detect (every normal payment 1.00–450 in any currency, fraud labelled
/// where a pattern completes): for tests that need exact figures. Realistic traffic is what a fraud team sees: amounts
/// worth the same in every currency, legit cardholders who buy big, travel and tap, fraud that stays under thresholds,
/// and whole fraud sessions labelled.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Traffic>))]
public enum Traffic
{
    Clean,
    Realistic,
}

/// <summary>
/// Realistic traffic's legit patterns, each as the share of messages it makes (bound from <c>Generator:Mix:*</c>).
/// </summary>
public sealed class TrafficMix
{
    public double BigPurchases { get; set; } = 0.003;

    public double Trips { get; set; } = 0.002;

    public double TapBursts { get; set; } = 0.01;

    public double DeviceChanges { get; set; } = 0.001;

    public void Validate()
    {
        foreach (var (name, share) in new[] { ("BigPurchases", BigPurchases), ("Trips", Trips), ("TapBursts", TapBursts), ("DeviceChanges", DeviceChanges) })
        {
            if (share is < 0 or > 0.2)
            {
                throw new ArgumentOutOfRangeException(nameof(TrafficMix), $"Generator:Mix:{name} must be between 0 and 0.2, not {share}");
            }
        }
    }
}

/// <summary>
/// What one unit of each generated currency is worth in USD: the generator's world, the same sample rates as
/// <c>rules/rates.txt</c>, so that realistic amounts are worth alike across currencies.
/// </summary>
public static class SampleRates
{
    public static decimal WorthInUsd(string currency) => currency switch
    {
        "EUR" => 1.08m,
        "GBP" => 1.27m,
        "CAD" => 0.73m,
        "AUD" => 0.66m,
        "SGD" => 0.74m,
        "BRL" => 0.20m,
        "INR" => 0.0118m,
        "JPY" => 0.0067m,
        _ => 1m,
    };

    /// <summary>A USD worth in <paramref name="currency"/>; yen in whole units, as they are paid.</summary>
    public static decimal FromUsd(decimal usd, string currency) =>
        Math.Round(usd / WorthInUsd(currency), currency == "JPY" ? 0 : 2);
}

namespace Fraud.Generator.Scenarios;

/// <summary>
/// What real cardholders do that looks like fraud to a simple rule (realistic traffic only). Never labelled fraud; the
/// name travels in the header <c>x-traffic-pattern</c>, so a summary can say which legit behaviour a rule flagged.
/// </summary>
public static class LegitPattern
{
    /// <summary>One purchase of 600–3,000 (USD worth): a laptop, a flight, a sofa.</summary>
    public const string BigPurchase = "big-purchase";

    /// <summary>A payment at home, then one abroad after a flight of plausible length; the card stays abroad.</summary>
    public const string Trip = "trip";

    /// <summary>Six to eight taps of 2–15 (USD worth) a few seconds apart: transit gates, a food court, parking.</summary>
    public const string TapBurst = "tap-burst";

    /// <summary>The cardholder's new phone: from this payment on, the account pays from another device.</summary>
    public const string DeviceChange = "device-change";

    public static IReadOnlyList<string> All { get; } = [BigPurchase, Trip, TapBurst, DeviceChange];
}

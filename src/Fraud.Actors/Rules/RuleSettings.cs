namespace Fraud.Actors.Rules;

/// <summary>
/// Every rule's parameters, bound from <c>Fraud:Rules:&lt;rule-id&gt;</c>. Each rule has an id, an enabled flag and a
/// weight (its contribution to the verdict's score); a transaction is fraud when at least one enabled rule fires.
/// </summary>
public sealed class RuleSettings
{
    public const string SectionName = "Fraud:Rules";

    public LargeAmountRule LargeAmount { get; set; } = new();

    public VelocityCountRule VelocityCount { get; set; } = new();

    public VelocityAmountRule VelocityAmount { get; set; } = new();

    public SmallThenLargeRule SmallThenLarge { get; set; } = new();

    public ImpossibleTravelRule ImpossibleTravel { get; set; } = new();

    /// <summary>How far behind the newest transaction of its account a transaction may arrive and still count in windows.</summary>
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most window entries kept per account: bounds memory even for a runaway account.</summary>
    public int MaxEventsPerAccount { get; set; } = 256;

    /// <summary>How many recent transaction ids (with their verdicts) an account remembers for idempotence.</summary>
    public int RememberedIdsPerAccount { get; set; } = 64;

    /// <summary>How long state is kept behind the newest event: the longest enabled window plus the lateness.</summary>
    public TimeSpan Retention
    {
        get
        {
            var longest = TimeSpan.Zero;
            if (VelocityCount.Enabled) longest = Max(longest, VelocityCount.Window);
            if (VelocityAmount.Enabled) longest = Max(longest, VelocityAmount.Window);
            if (SmallThenLarge.Enabled) longest = Max(longest, SmallThenLarge.Window);
            if (ImpossibleTravel.Enabled) longest = Max(longest, ImpossibleTravel.Window);
            return longest + AllowedLateness;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

public abstract class RuleBase
{
    public bool Enabled { get; set; } = true;

    /// <summary>Contribution to the score, in [0, 1].</summary>
    public double Weight { get; set; } = 0.9;
}

/// <summary><c>large-amount</c>: amount ≥ threshold (the seed's rule).</summary>
public sealed class LargeAmountRule : RuleBase
{
    public const string Id = "large-amount";

    public decimal Threshold { get; set; } = 900m;
}

/// <summary><c>velocity-count</c>: more than <see cref="MaxCount"/> transactions of one account within the window.</summary>
public sealed class VelocityCountRule : RuleBase
{
    public const string Id = "velocity-count";

    public int MaxCount { get; set; } = 5;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary><c>velocity-amount</c>: the sum of one account's amounts within the window above <see cref="MaxSum"/>.</summary>
public sealed class VelocityAmountRule : RuleBase
{
    public const string Id = "velocity-amount";

    public decimal MaxSum { get; set; } = 2000m;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary><c>small-then-large</c>: an amount under <see cref="SmallBelow"/> then one over <see cref="LargeAbove"/> within the window.</summary>
public sealed class SmallThenLargeRule : RuleBase
{
    public const string Id = "small-then-large";

    public decimal SmallBelow { get; set; } = 1.00m;

    public decimal LargeAbove { get; set; } = 500m;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}

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

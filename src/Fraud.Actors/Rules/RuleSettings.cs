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

namespace Fraud.Actors.Rules;

/// <summary>
/// How transactions are judged, bound from <c>Fraud:Rules</c>: the rule file a node loads (<see cref="File"/>, compiled
/// into <see cref="Pack"/>) and what every rule shares (lateness, history bounds, idempotence). The five built-in rules
/// below are the reference the default pack is proven equal to; they decide only where no pack is loaded (specs, bench).
/// </summary>
public sealed class RuleSettings
{
    public const string SectionName = "Fraud:Rules";

    /// <summary>The bundled default pack, relative to the working folder or else to the program's.</summary>
    public const string DefaultFile = "rules/default.rules";

    /// <summary>The rule file (<c>*.rules</c>, docs/rules.md) a detector loads at start.</summary>
    public string File { get; set; } = DefaultFile;

    /// <summary>
    /// Where a detector's rules come from: <c>topics</c> (the rule and list topics, seeded from <see cref="File"/> when
    /// the rule topic is empty, and followed: a change applies on every node within seconds) or <c>file</c> (read at start).
    /// </summary>
    public string Source { get; set; } = "topics";

    public bool FromTopics => !Source.Equals("file", StringComparison.OrdinalIgnoreCase);

    /// <summary>The longest window a rule may read; a rule needing more is refused at load (it bounds each account's history).</summary>
    public TimeSpan MaxWindow { get; set; } = Compiler.RuleEnvironment.DefaultMaxWindow;

    /// <summary>
    /// The compiled rules; when set they decide instead of the built-in rules. Replaced whole when the rule topics
    /// change (<see cref="UsePack"/>, from any thread): a reader takes it once per group of transactions.
    /// </summary>
    public Compiler.CompiledRules? Pack => Volatile.Read(ref _pack);

    private Compiler.CompiledRules? _pack;

    public RuleSettings UsePack(Compiler.CompiledRules? pack)
    {
        Volatile.Write(ref _pack, pack);
        return this;
    }

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

    /// <summary>How long state is kept behind the newest event: the longest window the rules read plus the lateness.</summary>
    public TimeSpan Retention => RetentionOf(Pack);

    /// <summary>
    /// The retention under <paramref name="pack"/>. Rules that change at run time keep <see cref="MaxWindow"/>: a rule
    /// added later finds the history it reads already there.
    /// </summary>
    public TimeSpan RetentionOf(Compiler.CompiledRules? pack)
    {
        if (pack is not null)
        {
            return (pack.Version is null ? pack.LongestWindow : Max(pack.LongestWindow, MaxWindow)) + AllowedLateness;
        }

        var longest = TimeSpan.Zero;
        if (VelocityCount.Enabled) longest = Max(longest, VelocityCount.Window);
        if (VelocityAmount.Enabled) longest = Max(longest, VelocityAmount.Window);
        if (SmallThenLarge.Enabled) longest = Max(longest, SmallThenLarge.Window);
        if (ImpossibleTravel.Enabled) longest = Max(longest, ImpossibleTravel.Window);
        return longest + AllowedLateness;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

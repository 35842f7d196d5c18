namespace Fraud.Actors.Rules.Compiler;

/// <summary>What a rule file may refer to besides the transaction: its named lists, the currency rates, the longest history allowed.</summary>
internal sealed record RuleEnvironment(IReadOnlyDictionary<string, IReadOnlySet<string>> Lists, CurrencyRates? Rates, TimeSpan MaxWindow)
{
    /// <summary>Where lists come from, for the line that says one is missing; null: files next to the rules.</summary>
    public string? ListsWhere { get; init; }

    public const string ListExtension = ".list";

    public const string RatesFileName = "rates.txt";

    /// <summary>How far back a rule may look unless configured: a month, what "3 × the 30-day average" needs.</summary>
    public static readonly TimeSpan DefaultMaxWindow = TimeSpan.FromDays(30);

    public static RuleEnvironment Empty { get; } = new(new Dictionary<string, IReadOnlySet<string>>(), null, DefaultMaxWindow);
}

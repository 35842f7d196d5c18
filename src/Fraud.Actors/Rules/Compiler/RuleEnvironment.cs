namespace Fraud.Actors.Rules.Compiler;

/// <summary>What a rule file may refer to besides the transaction: its named lists, the currency rates, the longest history allowed.</summary>
internal sealed record RuleEnvironment(IReadOnlyDictionary<string, IReadOnlySet<string>> Lists, CurrencyRates? Rates, TimeSpan MaxWindow)
{
    /// <summary>Where lists come from, for the line that says one is missing; null: files next to the rules.</summary>
    public string? ListsWhere { get; init; }

    /// <summary>The input fields the history kept under the rule set these rules replace (null: none before them).</summary>
    public FieldHistory? PreviousFields { get; init; }

    /// <summary>The event time from which a field these rules are the first to read of earlier transactions is kept.</summary>
    public long FieldsKeptFrom { get; init; }

    public const string ListExtension = ".list";

    public const string RatesFileName = "rates.txt";

    /// <summary>How far back a rule may look unless configured: a month, what "3 × the 30-day average" needs.</summary>
    public static readonly TimeSpan DefaultMaxWindow = TimeSpan.FromDays(30);

    public static RuleEnvironment Empty { get; } = new(new Dictionary<string, IReadOnlySet<string>>(), null, DefaultMaxWindow);
}

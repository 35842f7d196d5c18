namespace Fraud.Actors.Rules;

/// <summary>
/// One rule that fired: what it saw, the limit it applies, over which window (null when instantaneous), the version of
/// the rule's wording, and the values each of its comparisons saw (an expression's text and its value; what Amazon
/// Fraud Detector calls the expression with values), so an analyst reads why without re-running the rule.
/// </summary>
public sealed record RuleHit(string Id, decimal Observed, decimal Limit, string? Window)
{
    public int Version { get; init; } = 1;

    public IReadOnlyList<SeenValue> Values { get; init; } = [];

    /// <summary>
    /// Set when the rule read a field the account's history began to keep after the rule set changed: what it saw of
    /// earlier transactions starts then, and is whole from this time on (the change plus the rule's window).
    /// </summary>
    public DateTimeOffset? PartialUntil { get; init; }

    public bool Equals(RuleHit? other) =>
        other is not null && Id == other.Id && Observed == other.Observed && Limit == other.Limit && Window == other.Window
        && Version == other.Version && Values.SequenceEqual(other.Values) && PartialUntil == other.PartialUntil;

    public override int GetHashCode() => HashCode.Combine(Id, Observed, Limit, Window, Version, Values.Count);
}

/// <summary>The value one sub-expression of a rule had: a number, a text, or neither (missing).</summary>
public readonly record struct SeenValue(string Expression, decimal? Number, string? Text = null);

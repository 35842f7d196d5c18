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
    public DateTimeOffset? PartialUntil
    {
        get => _partialUntilTicks == 0 ? null : new DateTimeOffset(_partialUntilTicks, TimeSpan.Zero);
        init => _partialUntilTicks = value?.UtcTicks ?? 0;
    }

    // Ticks, not the nullable time itself: 8 bytes a hit instead of 24, on every hit of every rule.
    private readonly long _partialUntilTicks;

    public bool Equals(RuleHit? other) =>
        other is not null && Id == other.Id && Observed == other.Observed && Limit == other.Limit && Window == other.Window
        && Version == other.Version && Values.SequenceEqual(other.Values) && _partialUntilTicks == other._partialUntilTicks;

    public override int GetHashCode() => HashCode.Combine(Id, Observed, Limit, Window, Version, Values.Count);
}

/// <summary>The value one sub-expression of a rule had: a number, a text, or neither (missing).</summary>
public readonly record struct SeenValue(string Expression, decimal? Number, string? Text = null);

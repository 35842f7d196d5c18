namespace Fraud.Actors.Rules;

/// <summary>
/// What one account's rules need to remember, and nothing more: its recent transactions in event-time order (time,
/// amount, country) within <see cref="RuleSettings.Retention"/>, and the verdicts of its recent transaction ids.
/// Bounded twice: by time behind the newest event, and by <see cref="RuleSettings.MaxEventsPerAccount"/>.
/// Owned by one actor; <see cref="Scoring"/> reads and updates it.
/// </summary>
public sealed class AccountState
{
    internal readonly List<AccountEvent> Events = new();
    internal readonly Dictionary<string, Verdict> VerdictsById = new(StringComparer.Ordinal);
    internal readonly Queue<string> IdOrder = new();

    /// <summary>Newest event time seen (the account's watermark is this minus the allowed lateness).</summary>
    public DateTimeOffset? NewestTimestamp { get; internal set; }

    public int EventCount => Events.Count;

    public int RememberedIds => IdOrder.Count;
}

/// <summary>One remembered transaction; a small struct so windows cost no allocation per entry.</summary>
internal readonly record struct AccountEvent(long Ticks, decimal Amount, string? Country);

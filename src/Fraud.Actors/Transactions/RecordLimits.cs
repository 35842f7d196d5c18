namespace Fraud.Actors.Transactions;

/// <summary>
/// What an input record may be, and how large an output may grow (<c>Limits:*</c>). A record past a limit is a dead
/// letter with the limit's reason; nothing a record holds can make the detector fail, or an account's state or the
/// node's memory grow past these bounds.
/// </summary>
public sealed record RecordLimits
{
    public const string SectionName = "Limits";

    /// <summary>The default limits, for callers that configure none.</summary>
    public static RecordLimits Default { get; } = new();

    /// <summary>Bytes of a record's value (<c>record-too-large</c>). Card transactions take a few hundred.</summary>
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Bytes of each known text field as written in the JSON (<c>transactionId</c>, <c>source</c>, <c>target</c>,
    /// <c>currency</c>, <c>merchantCategory</c>, <c>country</c>, <c>deviceId</c>; <c>field-too-long</c>).
    /// </summary>
    public int MaxFieldBytes { get; set; } = 256;

    /// <summary>Nesting depth of the JSON (<c>invalid-json</c> beyond it).</summary>
    public int MaxDepth { get; set; } = 32;

    /// <summary>
    /// The largest amount accepted (<c>amount-out-of-range</c>). With at most <c>MaxEventsPerAccount</c> events an
    /// account's windowed sums stay far inside <see cref="decimal"/>'s range.
    /// </summary>
    public decimal MaxAmount { get; set; } = 1_000_000_000_000m;

    /// <summary>How far a transaction's timestamp may lie after the time its record reached Kafka (<c>timestamp-out-of-range</c>).</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far a transaction's timestamp may lie before the time its record reached Kafka (<c>timestamp-out-of-range</c>).</summary>
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Bytes of an output record (key, value and headers). A legit or fraud output past it becomes a dead letter
    /// (<c>output-too-large</c>); a dead letter past it is written with its value truncated. librdkafka's
    /// <c>message.max.bytes</c> defaults to 1,000,000, a broker's to 1,048,588: keep this at or below both.
    /// </summary>
    public int MaxOutputBytes { get; set; } = 1_000_000;

    /// <summary>One line naming the first setting out of its range, or null when every one is usable.</summary>
    public string? Problem() =>
        MaxRecordBytes < 64 ? $"Limits:MaxRecordBytes must be at least 64, not {MaxRecordBytes}"
        : MaxFieldBytes < 8 ? $"Limits:MaxFieldBytes must be at least 8, not {MaxFieldBytes}"
        : MaxDepth is < 2 or > 1000 ? $"Limits:MaxDepth must be between 2 and 1000, not {MaxDepth}"
        : MaxAmount <= 0 || MaxAmount > 1_000_000_000_000_000m ? $"Limits:MaxAmount must be above 0 and at most 10^18, not {MaxAmount}"
        : MaxFutureSkew < TimeSpan.Zero || MaxEventAge < TimeSpan.Zero ? "Limits:MaxFutureSkew and Limits:MaxEventAge must not be negative"
        : MaxOutputBytes < 16 * 1024 ? $"Limits:MaxOutputBytes must be at least 16384, not {MaxOutputBytes}"
        : null;
}

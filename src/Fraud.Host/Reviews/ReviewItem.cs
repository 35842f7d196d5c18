using System.Globalization;
using System.Text.Json;
using Fraud.Actors.Detection;
using Fraud.Actors.Transactions;

namespace Fraud.Host.Reviews;

/// <summary>
/// A transaction routed to review, as read from the review topic: what the queue sorts and shows by, and the output
/// record itself (the transaction and its verdict, the explanation an analyst reads), kept as its bytes.
/// </summary>
public sealed record ReviewItem(
    string TransactionId,
    string Account,
    DateTimeOffset Timestamp,
    DateTimeOffset QueuedAt,
    int? InputPartition,
    IReadOnlyList<string> Rules,
    decimal Amount,
    string Currency,
    byte[] Output)
{
    /// <summary>The review's place in the oldest-first order: when it was queued, then its id.</summary>
    public (long Ticks, string Id) Order => (QueuedAt.UtcTicks, TransactionId);

    /// <summary>
    /// A review output as an item; null when the record is not one of ours (the detector writes every review with a
    /// transaction id, an account and a verdict).
    /// </summary>
    public static ReviewItem? Parse(byte[]? value, IReadOnlyList<KeyValuePair<string, byte[]>> headers, DateTimeOffset queuedAt)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "transactionId") is not { Length: > 0 } id || Text(root, "source") is not { } account
                || !root.TryGetProperty("verdict", out var verdict) || verdict.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var rules = verdict.TryGetProperty("rules", out var hits) && hits.ValueKind == JsonValueKind.Array
                ? hits.EnumerateArray().Select(h => Text(h, "id")).OfType<string>().ToList()
                : [];
            var amount = root.TryGetProperty("amount", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetDecimal(out var d) ? d : 0m;
            var time = Text(root, "timestamp") is { } t && DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : queuedAt;
            var origin = headers.FirstOrDefault(h => h.Key == OutputRecords.ReviewOriginHeader).Value;
            var partition = origin is null ? null : RecordOrigin.PartitionOf(System.Text.Encoding.UTF8.GetString(origin));
            return new ReviewItem(id, account, time, queuedAt, partition, rules, amount, Text(root, "currency") ?? "", value);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string field of the transaction (<c>deviceId</c>, <c>target</c>, …) as the output carries it.</summary>
    public string? Field(string name)
    {
        using var doc = JsonDocument.Parse(Output);
        return Text(doc.RootElement, name);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

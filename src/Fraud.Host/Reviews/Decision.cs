using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fraud.Host.Reviews;

/// <summary>
/// An analyst's decision on a review, as the compacted <c>fraud.decisions</c> topic keeps it (key: the transaction id).
/// It carries the account, amount and the rules that sent the transaction to review, so that live precision per rule and
/// a backtest's labels come from this topic alone.
/// </summary>
public sealed record Decision(
    string TransactionId,
    [property: JsonPropertyName("decision")] string Outcome,
    string Analyst,
    DateTimeOffset DecidedAt,
    string? Reason,
    string Account,
    IReadOnlyList<string> Rules,
    decimal Amount,
    string Currency,
    string? Listed)
{
    public const string Fraud = "fraud";
    public const string Legit = "legit";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    [JsonIgnore]
    public bool IsFraud => Outcome == Fraud;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>"fraud" or "legit" ("approve" is legit); null for anything else.</summary>
    public static string? OutcomeOf(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        Fraud => Fraud,
        Legit or "approve" or "approved" => Legit,
        _ => null,
    };

    /// <summary>A record of the topic as a decision; null when it is not one (written by something else, or damaged).</summary>
    public static Decision? Parse(byte[] value)
    {
        try
        {
            var decision = JsonSerializer.Deserialize<Decision>(value, Json);
            return decision is { TransactionId.Length: > 0 } && OutcomeOf(decision.Outcome) is { } outcome
                ? decision with { Outcome = outcome, Rules = decision.Rules ?? [], Account = decision.Account ?? "", Currency = decision.Currency ?? "" }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

namespace Fraud.Actors.Transactions;

/// <summary>
/// A card or account transaction. <see cref="Source"/> is the paying account: the Kafka key, the sharding key and
/// the unit of state for velocity rules. The seed's fields (<c>source, target, amount, currency</c>) are required;
/// the rest is optional on input and filled from the Kafka record when missing (see <see cref="TransactionParser"/>).
/// </summary>
public sealed record Transaction(
    string TransactionId,
    string Source,
    string Target,
    decimal Amount,
    string Currency,
    DateTimeOffset Timestamp,
    string? MerchantCategory = null,
    string? Country = null,
    string? DeviceId = null);

/// <summary>Where a raw record came from, for fallbacks and dead-letter headers. Knows nothing of Kafka's types.</summary>
public readonly record struct RecordOrigin(string Topic, int Partition, long Offset, DateTimeOffset Timestamp)
{
    public override string ToString() => $"{Topic}-{Partition}-{Offset}";
}

namespace Fraud.Actors.Transactions;

/// <summary>
/// A card or account transaction. <see cref="Source"/> is the paying account: the Kafka key, the sharding key and
/// the unit of state for velocity rules. The seed's fields (<c>source, target, amount, currency</c>) are required;
/// the rest is optional on input and filled from the Kafka record when missing (see <see cref="TransactionParser"/>).
/// <see cref="ReceivedAt"/> is when its record reached the input (null when not read from one): the rules never count
/// the transaction later than that (see <see cref="EventTime"/>).
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
    string? DeviceId = null,
    DateTimeOffset? ReceivedAt = null)
{
    /// <summary>The values of the input fields the rules read by name, in <see cref="InputFields"/>' order; null when they read none.</summary>
    public InputValue[]? Fields { get; init; }

    /// <summary>The names <see cref="Fields"/> were read by (null when not parsed from a record): rules changed since read them by their own.</summary>
    public InputFields? FieldsRead { get; init; }
}

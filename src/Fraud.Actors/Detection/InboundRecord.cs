using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// A raw input record as the graph sees it: bytes, headers and origin, plus an opaque acknowledgement token
/// (<typeparamref name="TAck"/>: a Kafka committable offset in production, anything in tests).
/// </summary>
public sealed record InboundRecord<TAck>(
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    RecordOrigin Origin,
    TAck Ack);

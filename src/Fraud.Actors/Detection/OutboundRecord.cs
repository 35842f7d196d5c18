using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// A record to write to an output topic, with the acknowledgement token of the input it came from. A dead letter's value
/// is null when its input's was.
/// </summary>
public sealed record OutboundRecord<TAck>(
    Outcome Outcome,
    byte[]? Key,
    byte[]? Value,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    ScoredRecord<TAck> Source);

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

/// <summary>The three outlets of the detector's Partition stage.</summary>
public enum Outcome
{
    Legit = 0,
    Fraud = 1,
    DeadLetter = 2,
}

/// <summary>
/// An input with its outcome: a transaction and verdict, or a rejection reason; <see cref="Splice"/> says how its
/// output is made from its input's bytes (by default written anew from <see cref="Transaction"/>).
/// </summary>
public sealed record ScoredRecord<TAck>(
    InboundRecord<TAck> Input,
    Outcome Outcome,
    Transaction? Transaction,
    Verdict? Verdict,
    string? RejectReason = null,
    string? RejectDetail = null,
    InputSplice Splice = InputSplice.Rewrite);

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

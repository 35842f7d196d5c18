using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

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

using System.Collections.Concurrent;
using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// The answer to a batch: one verdict per request, in order. A verdict is null for a request not scored here: its
/// partition is no longer owned (its new owner scores it), or, with its <see cref="Failures"/> entry set, scoring it
/// threw (the record becomes a dead letter; the rest of the batch is scored as usual).
/// </summary>
public sealed record ScoredBatch(Verdict?[] Verdicts, string?[]? Failures = null)
{
    /// <summary>Why request <paramref name="index"/> could not be scored, or null.</summary>
    public string? FailureOf(int index) => Failures?[index];
}

using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// The reply to <see cref="ScoreTransactions"/>: one verdict per transaction, in the same order. Where scoring one
/// threw, its verdict is null and <see cref="Failures"/> (null when none threw) says why, at the same index.
/// </summary>
public sealed record TransactionsScored(IReadOnlyList<Verdict?> Verdicts, long CorrelationId = 0, IReadOnlyList<string?>? Failures = null);

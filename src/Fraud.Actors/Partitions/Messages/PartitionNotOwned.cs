using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// The reply to a <see cref="ScoreTransactions"/> whose partition this node no longer owns (or owns under a newer
/// assignment): none of them is scored here; the partition's owner reads them again from the committed offset.
/// </summary>
public sealed record PartitionNotOwned(int Partition, long CorrelationId = 0);

using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// The reply to a <see cref="ScoreTransactions"/> that must fail the stream: the partition's accounts cannot be scored
/// here, and dropping the record quietly would leave it unscored for as long as Kafka keeps the partition here.
/// </summary>
public sealed record PartitionFailed(int Partition, string Reason, long CorrelationId = 0);

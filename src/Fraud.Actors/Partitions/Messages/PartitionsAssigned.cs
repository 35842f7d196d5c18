using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>Kafka gave these partitions to this node: their accounts are restored from the last checkpoint.</summary>
public sealed record PartitionsAssigned(IReadOnlyList<PartitionAssignment> Partitions);

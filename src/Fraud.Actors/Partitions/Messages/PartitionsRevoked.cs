using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>Kafka took these partitions away: their accounts stop here (their checkpoints stay for the next owner).</summary>
public sealed record PartitionsRevoked(IReadOnlyList<int> Partitions);

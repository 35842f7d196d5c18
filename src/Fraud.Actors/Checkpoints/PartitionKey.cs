using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>Which input partition a checkpoint belongs to, within one consumer group.</summary>
public readonly record struct PartitionKey(string Group, string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition} ({Group})";
}

using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>A save by an owner that is no longer the owner: another node claimed the partition since.</summary>
public sealed class FencedException(PartitionKey key, long epoch)
    : Exception($"checkpoint of {key} refused: epoch {epoch} is no longer the owner's");

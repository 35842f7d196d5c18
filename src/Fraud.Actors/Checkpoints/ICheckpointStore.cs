using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>
/// Where partitions' account states are kept durably. <see cref="ClaimAsync"/> makes the caller the owner (raising the
/// epoch, which fences every earlier owner) and returns what was saved; <see cref="SaveAsync"/> writes atomically, and
/// only while the caller's epoch is still the current one.
/// </summary>
public interface ICheckpointStore
{
    Task<PartitionCheckpoint> ClaimAsync(PartitionKey key);

    Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write);
}

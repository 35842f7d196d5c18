using Fraud.Actors.Checkpoints;

namespace Fraud.Actors.Partitions;

// The messages a partition actor sends itself.
public sealed partial class PartitionActor
{
    private sealed record Claimed(PartitionCheckpoint Checkpoint);

    private sealed record ClaimFailed(Exception Error);

    private sealed record RetryClaim
    {
        public static readonly RetryClaim Instance = new();
    }

    private sealed record Checkpoint
    {
        public static readonly Checkpoint Instance = new();
    }

    private sealed record Passivate
    {
        public static readonly Passivate Instance = new();
    }

    private sealed record FencedTooLong
    {
        public static readonly FencedTooLong Instance = new();
    }

    private sealed record Saved(long NextOffset);

    /// <summary>The save that failed, whose accounts are still to be saved.</summary>
    private sealed record SaveFailed(Exception Error, CheckpointWrite Write);
}

using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Partitions;

/// <summary>What a partition actor needs besides its partition: shared by every partition of a node.</summary>
public sealed record PartitionContext(
    string Group,
    ICheckpointStore Store,
    DurableOffsets Durable,
    RuleSettings Rules,
    AccountSettings Accounts,
    string Node,
    AccountCounter Counter,
    TimeProvider Clock,
    PartitionHealth? Health = null)
{
    /// <summary>Where failed partitions are told; one of its own when none is given.</summary>
    public PartitionHealth Health { get; init; } = Health ?? new PartitionHealth();
}

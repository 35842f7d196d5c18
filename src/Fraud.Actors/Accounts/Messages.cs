using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Accounts;

/// <summary>Messages for the accounts of one input partition carry that partition: the routing key.</summary>
public interface IWithPartition
{
    int Partition { get; }
}

/// <summary>Score this transaction against its account's history. <see cref="CorrelationId"/> comes back in the reply.</summary>
public sealed record ScoreTransaction(Transaction Transaction, RecordOrigin Origin, long CorrelationId = 0) : IWithPartition
{
    public int Partition => Origin.Partition;
}

/// <summary>The reply to <see cref="ScoreTransaction"/>.</summary>
public sealed record TransactionScored(string TransactionId, Verdict Verdict, long CorrelationId = 0);

/// <summary>
/// The reply to a <see cref="ScoreTransaction"/> whose partition this node no longer owns (or owns under a newer
/// assignment): the record is not scored here; its partition's owner reads it again from the committed offset.
/// </summary>
public sealed record PartitionNotOwned(int Partition, long CorrelationId = 0);

/// <summary>
/// The reply to a <see cref="ScoreTransaction"/> that must fail the stream: the partition's accounts cannot be scored
/// here, and dropping the record quietly would leave it unscored for as long as Kafka keeps the partition here.
/// </summary>
public sealed record PartitionFailed(int Partition, string Reason, long CorrelationId = 0);

/// <summary>Ask an account what its rules currently see (the dashboard's account view). Changes nothing.</summary>
public sealed record InspectAccount(string AccountId, int Partition) : IWithPartition;

/// <summary>The reply to <see cref="InspectAccount"/>: the transactions in the account's windows, oldest first.</summary>
public sealed record AccountInspected(string AccountId, IReadOnlyList<WindowEntry> Window, int RememberedVerdicts, string Node, bool Known);

/// <summary>
/// One input partition given to this node, under the consumer's assignment generation. <see cref="EndOffset"/> is the
/// partition's end when it was assigned (-1: unknown): a checkpoint past it is from before the topic was recreated.
/// </summary>
public sealed record PartitionAssignment(string Topic, int Partition, int Generation, long EndOffset = -1);

/// <summary>Kafka gave these partitions to this node: their accounts are restored from the last checkpoint.</summary>
public sealed record PartitionsAssigned(IReadOnlyList<PartitionAssignment> Partitions);

/// <summary>Kafka took these partitions away: their accounts stop here (their checkpoints stay for the next owner).</summary>
public sealed record PartitionsRevoked(IReadOnlyList<int> Partitions);

/// <summary>
/// From the region to a partition actor whose partition was revoked or re-assigned: answer every transaction it still
/// holds <see cref="PartitionNotOwned"/> (the next owner scores them), then stop. Messages routed to it before this one
/// are handled first, as usual; none are routed to it after.
/// </summary>
public sealed record ReleasePartition
{
    public static readonly ReleasePartition Instance = new();
}

/// <summary>Ask the region what it holds; the reply is a <see cref="RegionStatus"/>.</summary>
public sealed record GetRegionStatus
{
    public static readonly GetRegionStatus Instance = new();
}

/// <summary>The partitions whose accounts live on this node, and how many accounts that is.</summary>
public sealed record RegionStatus(IReadOnlyList<int> Partitions, long Accounts);

/// <summary>
/// Save every partition's changed accounts now and answer <see cref="CheckpointsFlushed"/> once they are durable: a
/// graceful stop does this after the last output is acknowledged and before the final commit, so that the next
/// owner starts exactly where this node stopped.
/// </summary>
public sealed record FlushCheckpoints
{
    public static readonly FlushCheckpoints Instance = new();
}

/// <summary>The reply to <see cref="FlushCheckpoints"/>.</summary>
public sealed record CheckpointsFlushed
{
    public static readonly CheckpointsFlushed Instance = new();
}

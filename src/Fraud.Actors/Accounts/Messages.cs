using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Accounts;

/// <summary>Messages for the accounts of one input partition carry that partition: the routing key.</summary>
public interface IWithPartition
{
    int Partition { get; }
}

/// <summary>
/// Score these transactions of one partition, in their order, each against its account's history. They were all read
/// under one assignment <see cref="Generation"/>; <see cref="Offsets"/> are their input offsets. One message for a
/// batch of records, not one per transaction: the actor hop is paid once per batch. <see cref="CorrelationId"/> comes
/// back in the reply.
/// </summary>
public sealed record ScoreTransactions(int Partition, int Generation, IReadOnlyList<Transaction> Transactions, IReadOnlyList<long> Offsets, long CorrelationId = 0)
    : IWithPartition
{
    /// <summary>A batch of one.</summary>
    public static ScoreTransactions One(Transaction transaction, RecordOrigin origin, long correlationId = 0) =>
        new(origin.Partition, origin.Generation, [transaction], [origin.Offset], correlationId);
}

/// <summary>
/// The reply to <see cref="ScoreTransactions"/>: one verdict per transaction, in the same order. Where scoring one
/// threw, its verdict is null and <see cref="Failures"/> (null when none threw) says why, at the same index.
/// </summary>
public sealed record TransactionsScored(IReadOnlyList<Verdict?> Verdicts, long CorrelationId = 0, IReadOnlyList<string?>? Failures = null);

/// <summary>
/// The reply to a <see cref="ScoreTransactions"/> whose partition this node no longer owns (or owns under a newer
/// assignment): none of them is scored here; the partition's owner reads them again from the committed offset.
/// </summary>
public sealed record PartitionNotOwned(int Partition, long CorrelationId = 0);

/// <summary>
/// The reply to a <see cref="ScoreTransactions"/> that must fail the stream: the partition's accounts cannot be scored
/// here, and dropping the record quietly would leave it unscored for as long as Kafka keeps the partition here.
/// </summary>
public sealed record PartitionFailed(int Partition, string Reason, long CorrelationId = 0);

/// <summary>Ask an account what its rules currently see (the dashboard's account view). Changes nothing.</summary>
public sealed record InspectAccount(string AccountId, int Partition) : IWithPartition;

/// <summary>The reply to <see cref="InspectAccount"/>: the transactions in the account's windows, oldest first.</summary>
public sealed record AccountInspected(string AccountId, IReadOnlyList<WindowEntry> Window, int RememberedVerdicts, string Node, bool Known)
{
    /// <summary>The answer for an account whose partition's state is not held where the question arrived.</summary>
    public static AccountInspected Unknown(string accountId, string node) => new(accountId, [], 0, node, Known: false);
}

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

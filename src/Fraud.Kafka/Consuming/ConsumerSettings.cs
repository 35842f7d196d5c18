using Confluent.Kafka;

namespace Fraud.Kafka.Consuming;

/// <summary>How the source polls. Defaults suit a detector; tests shorten them.</summary>
public sealed record ConsumerSettings
{
    /// <summary>How long one poll waits for a first record. Bounds how late a stop is noticed.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most records handed to the stream per poll; the only buffer the source keeps.</summary>
    public int MaxBatch { get; init; } = 500;

    /// <summary>
    /// While downstream backpressures, the partitions are paused and the consumer is still polled this often, so it
    /// keeps its group membership and serves rebalances (librdkafka's max.poll.interval.ms).
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The highest offset that may be committed for a partition (topic, partition), when something besides the outputs
    /// must be durable first (say, a state store's checkpoint); -1 allows nothing yet. Null: no limit beyond the
    /// acknowledged prefix. Consulted at every commit, including the one made while a partition is being revoked.
    /// </summary>
    public Func<string, int, long>? CommitLimit { get; init; }

    /// <summary>
    /// Told of every assignment and revocation, on the polling thread, inside the rebalance callback: before the first
    /// record of an assigned partition is fetched, and after a revoked partition's last commit. Set here rather than
    /// subscribed to later, so that not even the first assignment can be missed.
    /// </summary>
    public IPartitionListener? Listener { get; init; }
}

/// <summary>Follows the partitions a consumer owns (see <see cref="ConsumerSettings.Listener"/>).</summary>
public interface IPartitionListener
{
    /// <summary>
    /// Partitions assigned, each with its assignment generation (see <see cref="CommittableOffset.Generation"/>) and
    /// its end offset as the broker reports it now (-1 when it could not be asked), so that a store of external state
    /// can tell a checkpoint from before the topic was recreated.
    /// </summary>
    void OnAssigned(IReadOnlyList<(TopicPartition Partition, int Generation, long End)> partitions);

    /// <summary>Partitions revoked or lost.</summary>
    void OnRevoked(IReadOnlyList<TopicPartition> partitions);
}

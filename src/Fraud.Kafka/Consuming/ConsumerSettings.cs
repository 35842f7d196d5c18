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
}

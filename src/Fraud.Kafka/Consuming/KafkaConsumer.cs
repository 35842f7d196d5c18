using Akka.Streams.Dsl;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Consuming;

/// <summary>Factories of Kafka sources.</summary>
public static class KafkaConsumer
{
    /// <summary>
    /// A source of records with committable offsets. The consumer is polled on a thread of its own, only when
    /// downstream demands, and at most one batch (<see cref="ConsumerSettings.MaxBatch"/>) waits in the stage.
    /// Materializes the <see cref="IConsumerControl"/> that stops it and, after the stream has drained, closes the
    /// consumer.
    /// </summary>
    public static Source<CommittableRecord, IConsumerControl> CommittableSource(
        KafkaSettings kafka, IReadOnlyCollection<string> topics, ConsumerSettings? settings = null, string? groupId = null)
    {
        var config = kafka.ToConsumerConfig(groupId);
        // The session's health comes from librdkafka's statistics; a configured interval (0: none) is left as it is.
        config.StatisticsIntervalMs ??= 1000;
        return Source.FromGraph(new CommittableSourceStage(config, topics, settings ?? new ConsumerSettings()));
    }
}

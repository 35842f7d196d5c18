using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Producing;

/// <summary>A record to write, with a pass-through value (typically the input's committable offset).</summary>
public sealed record ProducerRecord<TPassThrough>(string Topic, Message<byte[]?, byte[]?> Message, TPassThrough PassThrough);

/// <summary>
/// The broker's acknowledgement of a <see cref="ProducerRecord{TPassThrough}"/>. <see cref="AcknowledgedAt"/> is when
/// librdkafka reported it (a <see cref="System.Diagnostics.Stopwatch"/> timestamp): the record existed at the broker
/// from then on, even if the flow emits it later, behind earlier records still awaiting theirs. <see cref="Delivery"/>
/// holds the topic, partition, offset, status and timestamp, but not the message: the flow lets each message go once
/// librdkafka has copied it, so keys and values are not kept alive while records wait for their acknowledgements.
/// Keep what you need of a record in its pass-through.
/// </summary>
public sealed record DeliveredRecord<TPassThrough>(DeliveryResult<byte[]?, byte[]?> Delivery, TPassThrough PassThrough, long AcknowledgedAt);

/// <summary>Raised into the stream when the producer hits an error it cannot recover from.</summary>
public sealed class KafkaProducerFatalException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Producer factories and flows.</summary>
public static class KafkaProducer
{
    /// <summary>
    /// One producer for the whole process (librdkafka batches across topics and partitions). Idempotent with
    /// acks=all by default, so a retry never writes a record twice.
    /// </summary>
    public static IProducer<byte[]?, byte[]?> Create(KafkaSettings settings, Action<string>? log = null)
    {
        Librdkafka.EnsureLoaded();
        return new ProducerBuilder<byte[]?, byte[]?>(settings.ToProducerConfig())
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal || error.Code != ErrorCode.Local_Transport)
                {
                    log?.Invoke($"kafka producer: {error.Code}: {error.Reason}");
                }
            })
            .SetLogHandler((_, message) =>
            {
                if (message.Level <= SyslogLevel.Warning)
                {
                    log?.Invoke($"librdkafka {message.Facility}: {message.Message}");
                }
            })
            .Build();
    }

    /// <summary>
    /// Writes each record and emits its delivery report, in input order, with its pass-through. At most
    /// <paramref name="maxInFlight"/> records await acknowledgement. A delivery failure fails the stream with the
    /// broker's reason: the records' offsets are then never committed, so a restart writes them again.
    /// </summary>
    public static Flow<ProducerRecord<T>, DeliveredRecord<T>, NotUsed> Flow<T>(IProducer<byte[]?, byte[]?> producer, int maxInFlight = 4096) =>
        Akka.Streams.Dsl.Flow.Create<ProducerRecord<T>>()
            .Select(record => (IReadOnlyList<ProducerRecord<T>>)[record])
            .Via(GroupFlow<T>(producer, maxInFlight))
            .SelectMany(delivered => delivered);

    /// <summary>
    /// As <see cref="Flow{T}"/>, for groups of records: each group is emitted, in input order, once all of its records
    /// are acknowledged. One stream element per group, however many records it holds.
    /// </summary>
    public static Flow<IReadOnlyList<ProducerRecord<T>>, IReadOnlyList<DeliveredRecord<T>>, NotUsed> GroupFlow<T>(IProducer<byte[]?, byte[]?> producer, int maxInFlight = 4096) =>
        Akka.Streams.Dsl.Flow.FromGraph(new ProducerStage<T>(producer, Math.Max(1, maxInFlight)));
}

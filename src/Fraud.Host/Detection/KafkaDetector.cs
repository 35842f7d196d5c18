using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Fraud.Actors.Partitions;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Detection;
using Fraud.Actors.Transactions;
using Fraud.Host.Configuration;
using Fraud.Kafka.Committing;
using Fraud.Kafka.Consuming;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Detection;

/// <summary>
/// Where Kafka meets the detector graph: the committable source in, one producer for the three outlets, the committer
/// at the end. Runs until stopped, then drains: in-flight records are written and committed before the consumer
/// leaves its group.
/// </summary>
public sealed class KafkaDetector : IAsyncDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly IConsumerControl _control;
    private readonly Task _completion;
    private readonly TimeSpan _shutdownTimeout;
    private readonly IActorRef _region;
    private readonly PartitionScorer _scorer;

    private KafkaDetector(IProducer<byte[]?, byte[]?> producer, IConsumerControl control, Task completion, TimeSpan shutdownTimeout,
        IActorRef region, PartitionScorer scorer)
    {
        _region = region;
        _scorer = scorer;
        _producer = producer;
        _control = control;
        _completion = completion;
        _shutdownTimeout = shutdownTimeout;
    }

    /// <summary>Completes when the stream ends; faults with the reason when it fails.</summary>
    public Task Completion => _completion;

    public ConsumerSession Session => _control.Session;

    /// <param name="durable">What the partitions' checkpoints cover: offsets are never committed past it.</param>
    /// <param name="health">Where partitions that cannot be scored here are told: the consumer stops fetching them.</param>
    public static KafkaDetector Start(ActorSystem system, IActorRef partitions, DurableOffsets durable, PartitionHealth health, KafkaSettings kafka,
        FraudSettings settings, DetectorStats stats, Action<string> log)
    {
        var producer = KafkaProducer.Create(kafka, log);
        var topics = settings.Topics;
        var detector = settings.Detector;
        var consumer = new ConsumerSettings { CommitLimit = durable.CommitLimit, Listener = new OwnedPartitionsListener(partitions) };
        var source = KafkaConsumer.CommittableSource(kafka, [topics.Input], consumer).Select(record =>
        {
            stats.RecordIn(record.Record.Topic);
            return ToInbound(record);
        });
        var sinks = new DetectorSinks<Received>(
            Writer(producer, topics.Legit, detector.MaxInFlightPerTopic, stats),
            Writer(producer, topics.Fraud, detector.MaxInFlightPerTopic, stats),
            Writer(producer, topics.DeadLetter, detector.MaxInFlightPerTopic, stats),
            Writer(producer, topics.Review, detector.MaxInFlightPerTopic, stats));
        var committer = Flow.Create<Received>().Select(received => received.Offset)
            .ToMaterialized(Committer.Sink(new CommitterSettings { MaxBatch = detector.CommitBatch, MaxInterval = detector.CommitInterval }), Keep.Right);
        var scorer = new PartitionScorer(system, partitions, detector.ScoreTimeout);
        IConsumerControl? held = null;
        health.Failed += (topic, partition, _) => held?.Session.Hold(new TopicPartition(topic, partition));
        var (control, completion) = DetectorGraph.Create(source, scorer, sinks, committer, detector.Parallelism, detector.ScoreBatch, limits: settings.Limits,
            fields: () => settings.Rules.Pack?.Fields).Run(system.Materializer());
        held = control;
        foreach (var problem in health.Failing)
        {
            control.Session.Hold(new TopicPartition(problem.Topic, problem.Partition));
        }

        return new KafkaDetector(producer, control, completion, detector.ShutdownTimeout, partitions, scorer);
    }

    /// <summary>Stops consuming, finishes what is in flight, commits, leaves the group; bounded by the shutdown timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            // The last checkpoints before the last commit: the next owner then re-reads nothing.
            await _control.DrainAndShutdownAsync(_completion, () => _region.Ask<CheckpointsFlushed>(FlushCheckpoints.Instance, _shutdownTimeout))
                .WaitAsync(_shutdownTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What was not committed is re-read by the next owner: at-least-once, never lost.
        }
        catch (Exception)
        {
            // The stream had already failed; its reason is on Completion, which the caller reports.
        }
        finally
        {
            _scorer.Dispose();
            _producer.Flush(TimeSpan.FromSeconds(5));
            _producer.Dispose();
        }
    }

    /// <summary>Tells the owned partitions, inside the rebalance callbacks, which partitions (and so accounts) are ours.</summary>
    private sealed class OwnedPartitionsListener(IActorRef owner) : IPartitionListener
    {
        public void OnAssigned(IReadOnlyList<(TopicPartition Partition, int Generation, long End)> partitions) =>
            owner.Tell(new PartitionsAssigned(partitions
                .Select(p => new PartitionAssignment(p.Partition.Topic, p.Partition.Partition.Value, p.Generation, p.End)).ToList()));

        public void OnRevoked(IReadOnlyList<TopicPartition> partitions) =>
            owner.Tell(new PartitionsRevoked(partitions.Select(p => p.Partition.Value).ToList()));
    }

    /// <summary>The graph's acknowledgement token: the offset to commit, and when the record left the consumer.</summary>
    private readonly record struct Received(CommittableOffset Offset, long Timestamp);

    private static InboundRecord<Received> ToInbound(CommittableRecord record)
    {
        var result = record.Record;
        var headers = result.Message.Headers is { Count: > 0 } kafkaHeaders
            ? kafkaHeaders.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.GetValueBytes())).ToArray()
            : [];
        var origin = new RecordOrigin(result.Topic, result.Partition.Value, result.Offset.Value, LogTime(result.Message.Timestamp), record.Offset.Generation);
        return new InboundRecord<Received>(result.Message.Key, result.Message.Value, headers, origin, new Received(record.Offset, Stopwatch.GetTimestamp()));
    }

    /// <summary>The record's timestamp in the log, or the default value when it has none (the parser then uses this node's clock).</summary>
    internal static DateTimeOffset LogTime(Timestamp timestamp) =>
        timestamp.Type == TimestampType.NotAvailable ? default : timestamp.UtcDateTime;

    /// <summary>One outlet's writer: produce a group, wait for its acknowledgements, count them, hand the offsets on.</summary>
    private static Flow<IReadOnlyList<OutboundRecord<Received>>, IReadOnlyList<Received>, NotUsed> Writer(
        IProducer<byte[]?, byte[]?> producer, string topic, int maxInFlight, DetectorStats stats) =>
        Flow.Create<IReadOnlyList<OutboundRecord<Received>>>()
            .Select(outputs =>
            {
                // A summary passes through, not the output nor the scored record: the output's bytes are librdkafka's
                // once produced, and the scored record need not outlive the wait for the broker (see OutputSummary).
                var records = new ProducerRecord<(Received Ack, OutputSummary Summary)>[outputs.Count];
                for (var i = 0; i < records.Length; i++)
                {
                    var source = outputs[i].Source;
                    records[i] = new ProducerRecord<(Received, OutputSummary)>(topic, ToMessage(outputs[i]), (source.Input.Ack, OutputSummary.Of(source)));
                }

                return (IReadOnlyList<ProducerRecord<(Received Ack, OutputSummary Summary)>>)records;
            })
            .Via(KafkaProducer.GroupFlow<(Received Ack, OutputSummary Summary)>(producer, maxInFlight))
            .Select(delivered =>
            {
                var acks = new Received[delivered.Count];
                for (var i = 0; i < acks.Length; i++)
                {
                    var (received, summary) = delivered[i].PassThrough;
                    var acknowledged = delivered[i].AcknowledgedAt;
                    stats.Record(summary, topic, Stopwatch.GetElapsedTime(received.Timestamp, acknowledged).TotalSeconds,
                        Stopwatch.GetElapsedTime(acknowledged));
                    acks[i] = received;
                }

                return (IReadOnlyList<Received>)acks;
            })
            .Named($"write-{topic}");

    private static Message<byte[]?, byte[]?> ToMessage(OutboundRecord<Received> output)
    {
        var message = new Message<byte[]?, byte[]?> { Key = output.Key, Value = output.Value };
        if (output.Headers.Count > 0)
        {
            message.Headers = new Headers();
            foreach (var (key, value) in output.Headers)
            {
                message.Headers.Add(key, value);
            }
        }

        return message;
    }
}

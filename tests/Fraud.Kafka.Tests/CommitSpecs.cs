using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Confluent.Kafka;
using Fraud.Kafka.Committing;
using Fraud.Kafka.Consuming;
using Fraud.Kafka.Native;

namespace Fraud.Kafka.Tests;

/// <summary>When acknowledged offsets reach the group: an idle tail, a limit that moves later, a stop without the drain.</summary>
[Collection(KafkaCollection.Name)]
public sealed class CommitSpecs(EmbeddedBrokerFixture kafka) : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private IMaterializer Materializer => Sys.Materializer();

    [Fact]
    public async Task Should_commit_an_idle_tail_as_soon_as_the_commit_limit_allows_it()
    {
        var topic = kafka.NewTopic(partitions: 1);
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, 10);
        var limit = 4L; // as a checkpoint store would: durable up to offset 4 for now
        var seen = 0;
        var settings = new ConsumerSettings { CommitLimit = (_, _) => Interlocked.Read(ref limit) };
        var (control, done) = KafkaConsumer.CommittableSource(kafka.Settings, [topic], settings, group)
            .Select(r =>
            {
                Interlocked.Increment(ref seen);
                return r.Offset;
            })
            .ToMaterialized(Committer.Sink(new CommitterSettings { MaxInterval = TimeSpan.FromMilliseconds(200) }), Keep.Both)
            .Run(Materializer);

        await AwaitConditionAsync(() => Task.FromResult(Committed(topic, group) == 4), Patience);
        Assert.Equal(10, Volatile.Read(ref seen)); // every record acknowledged; the limit held the commit back

        // No record arrives any more; the limit moves, and the committer's timer commits the rest.
        Interlocked.Exchange(ref limit, long.MaxValue);
        await AwaitConditionAsync(() => Task.FromResult(Committed(topic, group) == 10), Patience);
        await control.DrainAndShutdownAsync(done).WaitAsync(Patience);
    }

    [Fact]
    public async Task Should_commit_what_was_acknowledged_when_stopped_without_the_drain()
    {
        var topic = kafka.NewTopic(partitions: 1);
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, 100);
        var acknowledged = 0;
        var (control, done) = KafkaConsumer.CommittableSource(kafka.Settings, [topic], groupId: group)
            .Where(r => int.Parse(Encoding.UTF8.GetString(r.Record.Message.Value!)) < 40)
            .Select(r =>
            {
                Interlocked.Increment(ref acknowledged);
                return r.Offset;
            })
            // Never on its own timer or batch: only the source's close may commit.
            .ToMaterialized(Committer.Sink(new CommitterSettings { MaxBatch = int.MaxValue, MaxInterval = TimeSpan.FromHours(1) }), Keep.Both)
            .Run(Materializer);

        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref acknowledged) == 40 && control.Session.Assignment.Count == 1), Patience);
        Assert.Equal(-1, Committed(topic, group));
        control.Stop();
        await done.WaitAsync(Patience);

        await AwaitConditionAsync(() => Task.FromResult(Committed(topic, group) == 40), Patience);
    }

    /// <summary>The group's committed offset of partition 0, read by a client that joins no group; -1 for none.</summary>
    private long Committed(string topic, string group)
    {
        Librdkafka.EnsureLoaded();
        var config = kafka.Settings.ToConsumerConfig(group);
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
        var committed = consumer.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10)).Single().Offset;
        return committed.IsSpecial ? -1 : committed.Value;
    }
}

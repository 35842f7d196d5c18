using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Confluent.Kafka;
using Fraud.Kafka.Committing;
using Fraud.Kafka.Consuming;

namespace Fraud.Kafka.Tests;

/// <summary>A partition held by the application (its records cannot be processed on this node) is not fetched.</summary>
[Collection(KafkaCollection.Name)]
public sealed class HoldSpecs(EmbeddedBrokerFixture kafka) : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Should_stop_fetching_a_held_partition_and_go_on_with_the_others()
    {
        var topic = kafka.NewTopic(partitions: 2);
        await kafka.ProduceAsync(topic, 100);
        var seen = new ConcurrentDictionary<int, int>();
        var partitionOfKey = new ConcurrentDictionary<string, int>();
        var (control, done) = KafkaConsumer.CommittableSource(kafka.Settings, [topic], groupId: kafka.NewGroup())
            .Select(r =>
            {
                seen.AddOrUpdate(r.Record.Partition.Value, 1, (_, n) => n + 1);
                partitionOfKey[System.Text.Encoding.UTF8.GetString(r.Record.Message.Key!)] = r.Record.Partition.Value;
                return r.Offset;
            })
            .ToMaterialized(Committer.Sink(), Keep.Both)
            .Run(Sys.Materializer());
        await AwaitConditionAsync(() => Task.FromResult(seen.Values.Sum() == 100), Patience);
        var before = seen.GetValueOrDefault(0);

        control.Session.Hold(new TopicPartition(topic, 0));
        Assert.Equal([new TopicPartition(topic, 0)], control.Session.Held);
        await AwaitConditionAsync(() => Task.FromResult(control.Session.HoldsApplied == 1), Patience); // paused by the polling thread
        // The other partition's new records all come (the first records showed where each key goes); the held one's none.
        var other = seen.GetValueOrDefault(1);
        var expected = other + Enumerable.Range(100, 400).Count(i => partitionOfKey[$"k{i % 16}"] == 1);
        Assert.True(expected > other, "the keys all went to the held partition");
        await kafka.ProduceAsync(topic, 400, first: 100);
        var deadline = DateTime.UtcNow + Patience;
        while (seen.GetValueOrDefault(1) < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(seen.GetValueOrDefault(1) == expected, $"partition 1: {seen.GetValueOrDefault(1)} of {expected} records; partition 0: {seen.GetValueOrDefault(0)} (held at {before})");
        Assert.True(seen.GetValueOrDefault(0) - before <= 0, $"{seen.GetValueOrDefault(0) - before} records of the held partition were fetched");
        await control.DrainAndShutdownAsync(done).WaitAsync(Patience);
    }
}

using System.Collections.Concurrent;
using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Fraud.Kafka.Committing;
using Fraud.Kafka.Consuming;

namespace Fraud.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class ConsumerSourceSpecs(EmbeddedBrokerFixture kafka) : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private IMaterializer Materializer => Sys.Materializer();

    [Fact]
    public async Task Should_consume_everything_commit_and_not_reread_after_restart()
    {
        var topic = kafka.NewTopic();
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, 1000);

        var first = await ConsumeAndCommitAsync(topic, group, take: 1000);
        Assert.Equal(Enumerable.Range(0, 1000).ToHashSet(), first.ToHashSet());

        await kafka.ProduceAsync(topic, 10); // values 0..9 again, as new records
        var second = await ConsumeAndCommitAsync(topic, group, take: 10);
        Assert.Equal(10, second.Count); // only the new ones: nothing re-read, nothing skipped
    }

    [Fact]
    public async Task Should_reread_only_what_was_not_committed_when_stopped_mid_batch()
    {
        var topic = kafka.NewTopic(partitions: 1);
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, 100);

        // Acknowledge only the first 40 records, then stop.
        var firstRun = await ConsumeAndCommitAsync(topic, group, take: 60, acknowledge: v => v < 40);
        Assert.True(firstRun.Count >= 60, $"read {firstRun.Count}");

        var secondRun = await ConsumeAndCommitAsync(topic, group, take: 60);
        Assert.Equal(Enumerable.Range(40, 60).ToList(), secondRun);
    }

    [Fact]
    public async Task Should_hold_back_the_commit_of_a_withheld_acknowledgement()
    {
        var topic = kafka.NewTopic(partitions: 1);
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, 20);

        // Record 5's acknowledgement never comes; 6..19 are acknowledged, but must not be committed past 5.
        var firstRun = await ConsumeAndCommitAsync(topic, group, take: 20, acknowledge: v => v != 5);
        Assert.Equal(20, firstRun.Count);

        var secondRun = await ConsumeAndCommitAsync(topic, group, take: 15);
        Assert.Equal(Enumerable.Range(5, 15).ToList(), secondRun);
    }

    [Fact]
    public async Task Should_split_partitions_between_two_consumers_of_one_group()
    {
        var topic = kafka.NewTopic(partitions: 4);
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, 400);

        var seen = new ConcurrentDictionary<string, ConcurrentBag<int>>();
        (IConsumerControl, Task) Run(string name)
        {
            var bag = seen.GetOrAdd(name, _ => new());
            return KafkaConsumer.CommittableSource(kafka.Settings, [topic], groupId: group)
                .Select(r =>
                {
                    bag.Add(r.Record.Partition.Value);
                    return r.Offset;
                })
                .ToMaterialized(Committer.Sink(), Keep.Both)
                .Run(Materializer);
        }

        var a = Run("a");
        var b = Run("b");
        await AwaitConditionAsync(() => Task.FromResult(
                seen.Values.Sum(v => v.Count) >= 400 && a.Item1.Session.Assignment.Count + b.Item1.Session.Assignment.Count == 4
                && a.Item1.Session.Assignment.Count > 0 && b.Item1.Session.Assignment.Count > 0),
            Patience);

        var aPartitions = a.Item1.Session.Assignment.Select(p => p.Partition.Value).ToHashSet();
        var bPartitions = b.Item1.Session.Assignment.Select(p => p.Partition.Value).ToHashSet();
        Assert.Empty(aPartitions.Intersect(bPartitions));
        Assert.Equal(4, aPartitions.Count + bPartitions.Count);
        await Task.WhenAll(a.Item1.DrainAndShutdownAsync(a.Item2), b.Item1.DrainAndShutdownAsync(b.Item2));
    }

    /// <summary>Reads <paramref name="take"/> records, acknowledges those <paramref name="acknowledge"/> accepts, then drains and closes.</summary>
    private async Task<List<int>> ConsumeAndCommitAsync(string topic, string group, int take, Func<int, bool>? acknowledge = null)
    {
        var values = new List<int>();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (control, done) = KafkaConsumer.CommittableSource(kafka.Settings, [topic], groupId: group)
            .Select(r =>
            {
                var value = int.Parse(Encoding.UTF8.GetString(r.Record.Message.Value!));
                lock (values)
                {
                    values.Add(value);
                    if (values.Count == take)
                    {
                        received.TrySetResult();
                    }
                }

                return (value, r.Offset);
            })
            .Where(x => acknowledge?.Invoke(x.value) ?? true)
            .Select(x => x.Offset)
            .ToMaterialized(Committer.Sink(), Keep.Both)
            .Run(Materializer);

        await received.Task.WaitAsync(Patience);
        await control.DrainAndShutdownAsync(done).WaitAsync(Patience);
        lock (values)
        {
            return values.ToList();
        }
    }
}

using System.Collections.Concurrent;
using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.TestKit.Xunit2;
using Fraud.Kafka.Committing;
using Fraud.Kafka.Consuming;

namespace Fraud.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class RebalanceSpecs(EmbeddedBrokerFixture kafka) : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private IMaterializer Materializer => Sys.Materializer();

    private static string Lags(IConsumerControl control) =>
        string.Join(", ", control.Session.Lag().Select(l => $"p{l.Partition}={l.Records}"));

    [Fact]
    public async Task Should_lose_nothing_and_skip_nothing_when_a_second_consumer_joins_mid_stream()
    {
        const int total = 4000;
        var topic = kafka.NewTopic(partitions: 6);
        var group = kafka.NewGroup();
        await kafka.ProduceAsync(topic, total);

        var seen = new ConcurrentDictionary<int, int>();
        var revocations = 0;
        (IConsumerControl Control, Task Done) Run() =>
            KafkaConsumer.CommittableSource(kafka.Settings, [topic], groupId: group)
                .Throttle(400, TimeSpan.FromSeconds(1), 400, ThrottleMode.Shaping) // slow enough that the join lands mid-stream
                .Select(r =>
                {
                    seen.AddOrUpdate(int.Parse(Encoding.UTF8.GetString(r.Record.Message.Value!)), 1, (_, n) => n + 1);
                    return r.Offset;
                })
                .ToMaterialized(Committer.Sink(new CommitterSettings { MaxBatch = 100, MaxInterval = TimeSpan.FromMilliseconds(200) }), Keep.Both)
                .Run(Materializer);

        var first = Run();
        first.Control.Session.Revoked += _ => Interlocked.Increment(ref revocations);
        await AwaitConditionAsync(() => Task.FromResult(seen.Count > 500), Patience);
        var second = Run();

        // Records written after the rebalance must be read too: a partition revoked while its consumer was paused
        // (backpressured by the throttle) must not stay paused once it is assigned again.
        await AwaitConditionAsync(() => Task.FromResult(second.Control.Session.Assignment.Count > 0), Patience);
        const int later = 1200;
        await kafka.ProduceAsync(topic, later, first: total);
        var deadline = DateTime.UtcNow + Patience;
        while (seen.Count < total + later)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"seen {seen.Count} of {total + later}; lag of the first consumer: {Lags(first.Control)}; of the second: {Lags(second.Control)}; " +
                $"first stream: {first.Done.Status} {first.Done.Exception?.GetBaseException().Message}; second: {second.Done.Status} {second.Done.Exception?.GetBaseException().Message}");
            await Task.Delay(100);
        }
        Assert.True(revocations > 0, "the join should have revoked partitions from the first consumer");
        Assert.True(second.Control.Session.CommitCount > 0, "the second consumer should have committed its share");
        await Task.WhenAll(first.Control.DrainAndShutdownAsync(first.Done), second.Control.DrainAndShutdownAsync(second.Done)).WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(0, total + later).ToHashSet(), seen.Keys.ToHashSet()); // nothing lost

        // Everything was committed at the end: a fresh member of the group finds only what is written afterwards.
        await kafka.ProduceAsync(topic, 12);
        var after = new ConcurrentBag<int>();
        var (control, done) = KafkaConsumer.CommittableSource(kafka.Settings, [topic], groupId: group)
            .Select(r =>
            {
                after.Add(int.Parse(Encoding.UTF8.GetString(r.Record.Message.Value!)));
                return r.Offset;
            })
            .ToMaterialized(Committer.Sink(), Keep.Both)
            .Run(Materializer);
        await AwaitConditionAsync(() => Task.FromResult(after.Count >= 12), Patience);
        // Every assigned partition finished to its end: what was committed before and re-read would be in `after` now.
        await AwaitConditionAsync(() => Task.FromResult(control.Session.Lag() is { Count: > 0 } lag
            && lag.Count == control.Session.Assignment.Count && lag.All(l => l.Records == 0)), Patience);
        await control.DrainAndShutdownAsync(done).WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 12).Order(), after.Order());
    }
}

using System.Collections.Concurrent;
using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit.Xunit2;
using Fraud.Actors.Partitions;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>The detector graph with test sources and probe sinks where Kafka would be.</summary>
public sealed class DetectorGraphSpecs : PartitionSpec
{
    private readonly ConcurrentQueue<(Outcome Outlet, OutboundRecord<int> Record)> _written = new();

    private IMaterializer Materializer => Sys.Materializer();

    private static InboundRecord<int> Record(int ack, string json, params (string Key, string Value)[] headers) =>
        new(Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes(json),
            headers.Select(h => new KeyValuePair<string, byte[]>(h.Key, Encoding.UTF8.GetBytes(h.Value))).ToArray(),
            new RecordOrigin(Topic, 0, ack, T0, 1), ack);

    private static string Json(Transaction tx) => Encoding.UTF8.GetString(TransactionJson.Write(tx));

    private Flow<IReadOnlyList<OutboundRecord<int>>, IReadOnlyList<int>, NotUsed> Writer(Outcome outlet) =>
        Flow.Create<IReadOnlyList<OutboundRecord<int>>>().Select(group =>
        {
            foreach (var r in group)
            {
                _written.Enqueue((outlet, r));
            }

            return (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray();
        });

    private DetectorSinks<int> Writers() => new(Writer(Outcome.Legit), Writer(Outcome.Fraud), Writer(Outcome.DeadLetter), Writer(Outcome.Review));

    [Fact]
    public async Task Should_route_each_record_to_exactly_one_outlet()
    {
        var region = StartPartitions(Context());
        var inputs = new[]
        {
            Record(0, Json(Tx(0, 20m))),
            Record(1, Json(Tx(1, 2000m))),
            Record(2, "{garbage", ("trace", "abc")),
            Record(3, """{"source":"S","target":"T","amount":950,"currency":"USD"}"""),
            Record(4, """{"source":"S","target":"T","amount":"lots","currency":"USD"}"""),
        };

        var (_, committed) = DetectorGraph.Create(Source.From(inputs), new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5)), Writers(), Sink.Seq<int>(), 4)
            .Run(Materializer);

        Assert.Equal([0, 1, 2, 3, 4], (await committed.WaitAsync(TimeSpan.FromSeconds(10))).Order());
        var byAck = _written.ToDictionary(w => w.Record.Source.Input.Ack);
        Assert.Equal(5, _written.Count);
        Assert.Equal(Outcome.Legit, byAck[0].Outlet);
        Assert.Equal(Outcome.Fraud, byAck[1].Outlet);
        Assert.Equal(Outcome.DeadLetter, byAck[2].Outlet);
        Assert.Equal(Outcome.Fraud, byAck[3].Outlet);
        Assert.Equal(Outcome.DeadLetter, byAck[4].Outlet);
        Assert.All(_written, w => Assert.Equal(w.Outlet, w.Record.Outcome));
    }

    [Fact]
    public async Task Should_write_the_verdict_envelope_and_keep_dead_letters_untouched()
    {
        var region = StartPartitions(Context(node: "graph-node"));
        var garbage = Record(1, "{garbage", ("trace", "abc"));
        var inputs = new[] { Record(0, Json(Tx(0, 2000m, account: "ACC-ENV", id: "env-1"))), garbage };
        var (_, committed) = DetectorGraph.Create(Source.From(inputs), new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5)), Writers(), Sink.Seq<int>(), 4)
            .Run(Materializer);
        await committed.WaitAsync(TimeSpan.FromSeconds(10));

        var fraud = _written.Single(w => w.Outlet == Outcome.Fraud).Record;
        Assert.Equal("ACC-ENV", Encoding.UTF8.GetString(fraud.Key!));
        using var doc = System.Text.Json.JsonDocument.Parse(fraud.Value);
        Assert.Equal("env-1", doc.RootElement.GetProperty("transactionId").GetString());
        var verdict = doc.RootElement.GetProperty("verdict");
        Assert.Equal("graph-node", verdict.GetProperty("detectorNode").GetString());
        Assert.True(verdict.GetProperty("score").GetDouble() > 0);
        var rule = verdict.GetProperty("rules")[0];
        Assert.Equal("large-amount", rule.GetProperty("id").GetString());
        Assert.Equal(2000m, rule.GetProperty("observed").GetDecimal());
        Assert.Equal(900m, rule.GetProperty("limit").GetDecimal());

        var dead = _written.Single(w => w.Outlet == Outcome.DeadLetter).Record;
        Assert.Equal(garbage.Value, dead.Value);
        Assert.Equal(garbage.Key, dead.Key);
        var headers = dead.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.Value));
        Assert.Equal("abc", headers["trace"]);
        Assert.Equal(RejectReasons.InvalidJson, headers[OutputRecords.ReasonHeader]);
        Assert.Equal("in-0-1", headers[OutputRecords.OriginHeader]);
    }

    [Fact]
    public void Should_hold_back_the_commit_of_an_unacknowledged_output()
    {
        var region = StartPartitions(Context());
        var releaseLegit = new TaskCompletionSource();
        // The legit writer withholds its acknowledgement until released.
        var heldLegit = Flow.Create<IReadOnlyList<OutboundRecord<int>>>().SelectAsync(1, async group =>
        {
            await releaseLegit.Task;
            return (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray();
        });
        var sinks = new DetectorSinks<int>(heldLegit, Writer(Outcome.Fraud), Writer(Outcome.DeadLetter), Writer(Outcome.Review));
        var inputs = new[] { Record(0, Json(Tx(0, 10m))), Record(1, Json(Tx(1, 5000m))), Record(2, "nope") };

        var (_, commits) = DetectorGraph.Create(Source.From(inputs), new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5)), sinks, this.SinkProbe<int>(), 4)
            .Run(Materializer);

        commits.Request(10);
        var early = new[] { commits.ExpectNext(TimeSpan.FromSeconds(10)), commits.ExpectNext(TimeSpan.FromSeconds(10)) };
        Assert.Equal([1, 2], early.Order());
        commits.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // 0 is written but not acknowledged: no commit

        releaseLegit.SetResult();
        Assert.Equal(0, commits.ExpectNext(TimeSpan.FromSeconds(10)));
        commits.ExpectComplete();
    }

    [Fact]
    public async Task Should_score_each_account_in_order_under_parallelism()
    {
        var region = StartPartitions(Context());
        // 10 accounts, 8 transactions each within seconds, in batches of 8 (four in flight): the 6th, 7th, 8th of each
        // account must be flagged.
        var inputs = Enumerable.Range(0, 80)
            .Select(i => Record(i, Json(Tx(i / 10.0, account: $"ACC-{i % 10}"))))
            .ToArray();
        var (_, committed) = DetectorGraph.Create(Source.From(inputs), new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5)), Writers(), Sink.Seq<int>(), 32, batchSize: 8)
            .Run(Materializer);
        await committed.WaitAsync(TimeSpan.FromSeconds(20));

        var flagged = _written.Where(w => w.Outlet == Outcome.Fraud).Select(w => w.Record.Source.Input.Ack).Order().ToArray();
        Assert.Equal(Enumerable.Range(50, 30).ToArray(), flagged);
    }

    [Fact]
    public async Task Should_keep_input_order_at_each_writer_while_groups_are_parsed_and_written_in_parallel()
    {
        var region = StartPartitions(Context());
        // Parsing and writing run on the thread pool, several groups at once: each writer must still see its records in
        // the order they were read (Kafka keeps a partition's order only if the producer is given it in order).
        var inputs = Enumerable.Range(0, 400)
            .Select(i => i % 7 == 3 ? Record(i, "not json") : Record(i, Json(Tx(i, i % 5 == 0 ? 5000m : 10m, account: $"ACC-{i % 13}", id: $"ord-{i}"))))
            .ToArray();
        var (_, committed) = DetectorGraph.Create(Source.From(inputs), new PartitionScorer(Sys, region, TimeSpan.FromSeconds(5)), Writers(), Sink.Seq<int>(), 64, batchSize: 4, stepParallelism: 4)
            .Run(Materializer);
        await committed.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(400, _written.Count);
        foreach (var outlet in new[] { Outcome.Legit, Outcome.Fraud, Outcome.DeadLetter })
        {
            var acks = _written.Where(w => w.Outlet == outlet).Select(w => w.Record.Source.Input.Ack).ToArray();
            Assert.NotEmpty(acks);
            Assert.Equal(acks.Order().ToArray(), acks);
        }
    }
}

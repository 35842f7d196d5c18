using System.Collections.Concurrent;
using System.Text;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// The graph's behaviour under a stream's own pressures, with Akka.Streams.TestKit probes for the source, the writers'
/// acknowledgements and the committer: how groups form, the order outputs leave in, and that a commit waits for its
/// output's acknowledgement. Each spec first sees the state it then changes.
/// </summary>
public sealed class DetectorGraphProbeSpecs : PartitionSpec
{
    private IMaterializer Materializer => Sys.Materializer();

    private static string ActionOf(byte[] output)
    {
        using var json = System.Text.Json.JsonDocument.Parse(output);
        return json.RootElement.GetProperty("verdict").GetProperty("action").GetString()!;
    }

    private static InboundRecord<int> Record(int offset, Transaction tx) =>
        new(Encoding.UTF8.GetBytes(tx.Source), TransactionJson.Write(tx), [], new RecordOrigin(Topic, 0, offset, T0, 1), offset);

    [Fact]
    public void Should_group_only_while_downstream_is_busy_and_never_wait_for_more()
    {
        var (source, sink) = this.SourceProbe<int>().Via(DetectorGraph.Group<int>(4)).ToMaterialized(this.SinkProbe<IReadOnlyList<int>>(), Keep.Both).Run(Materializer);

        // Demand waiting: a record leaves alone, at once.
        sink.Request(1);
        source.SendNext(1);
        Assert.Equal([1], sink.ExpectNext(TimeSpan.FromSeconds(5)));

        // No demand: records gather, up to the group's size; the rest wait upstream (backpressure).
        for (var i = 2; i <= 7; i++)
        {
            source.SendNext(i);
        }

        sink.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        sink.Request(1);
        Assert.Equal([2, 3, 4, 5], sink.ExpectNext(TimeSpan.FromSeconds(5)));
        sink.Request(1);
        Assert.Equal([6, 7], sink.ExpectNext(TimeSpan.FromSeconds(5)));
        source.SendComplete();
        sink.Request(1);
        sink.ExpectComplete();
    }

    [Fact]
    public void Should_commit_a_record_only_once_its_output_is_acknowledged_in_any_order()
    {
        var partitions = StartPartitions(Context());
        // Each writer's acknowledgements wait for the spec: it decides when, and in which order, outlets answer.
        var released = Enum.GetValues<Outcome>().ToDictionary(o => o, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var written = new ConcurrentQueue<(Outcome Outlet, int Offset)>();
        Flow<IReadOnlyList<OutboundRecord<int>>, IReadOnlyList<int>, NotUsed> Writer(Outcome outlet) =>
            Flow.Create<IReadOnlyList<OutboundRecord<int>>>()
                .Select(group =>
                {
                    foreach (var record in group)
                    {
                        written.Enqueue((outlet, record.Source.Input.Ack));
                    }

                    return (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray();
                })
                .SelectAsync(1, async group =>
                {
                    await released[outlet].Task; // held until the spec lets this outlet's acknowledgement through
                    return group;
                });
        var sinks = new DetectorSinks<int>(Writer(Outcome.Legit), Writer(Outcome.Fraud), Writer(Outcome.DeadLetter), Writer(Outcome.Review));
        var (input, commits) = DetectorGraph.Create(this.SourceProbe<InboundRecord<int>>(), new PartitionScorer(Sys, partitions, TimeSpan.FromSeconds(5)), sinks, this.SinkProbe<int>(), 4)
            .Run(Materializer);
        commits.Request(10);

        input.SendNext(Record(0, Tx(0, 10m, account: "ACC-PROBE")));   // legit
        input.SendNext(Record(1, Tx(1, 5000m, account: "ACC-PROBE"))); // fraud
        AwaitCondition(() => written.Count == 2, TimeSpan.FromSeconds(10));
        Assert.Equal([(Outcome.Legit, 0), (Outcome.Fraud, 1)], written.OrderBy(w => w.Offset));
        commits.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // both written, neither acknowledged: nothing to commit

        released[Outcome.Fraud].SetResult();
        Assert.Equal(1, commits.ExpectNext(TimeSpan.FromSeconds(10))); // the later record, alone acknowledged
        commits.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        released[Outcome.Legit].SetResult();
        Assert.Equal(0, commits.ExpectNext(TimeSpan.FromSeconds(10)));
        input.SendComplete();
        commits.ExpectComplete();
    }

    [Fact]
    public void Should_write_each_outlets_records_in_input_order_whatever_the_group_boundaries()
    {
        var partitions = StartPartitions(Context(rules: new RuleSettings()));
        var order = new ConcurrentQueue<(Outcome Outlet, int Offset)>();
        Flow<IReadOnlyList<OutboundRecord<int>>, IReadOnlyList<int>, NotUsed> Writer(Outcome outlet) =>
            Flow.Create<IReadOnlyList<OutboundRecord<int>>>().Select(group =>
            {
                foreach (var record in group)
                {
                    order.Enqueue((outlet, record.Source.Input.Ack));
                }

                return (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray();
            });
        var (input, commits) = DetectorGraph.Create(this.SourceProbe<InboundRecord<int>>(), new PartitionScorer(Sys, partitions, TimeSpan.FromSeconds(5)),
                new DetectorSinks<int>(Writer(Outcome.Legit), Writer(Outcome.Fraud), Writer(Outcome.DeadLetter), Writer(Outcome.Review)), this.SinkProbe<int>(), 16, batchSize: 4)
            .Run(Materializer);

        // Records in bursts the graph groups differently each time, while the committer's demand comes and goes.
        var offset = 0;
        foreach (var burst in new[] { 1, 7, 3, 12, 2, 9 })
        {
            for (var i = 0; i < burst; i++, offset++)
            {
                input.SendNext(Record(offset, Tx(offset, offset % 3 == 0 ? 5000m : 10m, account: $"ACC-B{offset % 5}", id: $"b-{offset}")));
            }

            commits.Request(burst);
        }

        var committed = Enumerable.Range(0, offset).Select(_ => commits.ExpectNext(TimeSpan.FromSeconds(10))).ToList();
        Assert.Equal(Enumerable.Range(0, offset), committed.Order());
        foreach (var outlet in new[] { Outcome.Legit, Outcome.Fraud })
        {
            var offsets = order.Where(o => o.Outlet == outlet).Select(o => o.Offset).ToList();
            Assert.NotEmpty(offsets);
            Assert.Equal(offsets.Order(), offsets);
        }

        input.SendComplete();
        commits.ExpectComplete();
    }

    [Fact]
    public void Should_route_a_packs_four_outcomes_to_four_outlets_each_acknowledged_on_its_own()
    {
        var pack = RuleSemanticsSpecs.Compile("""
            rule big: block weight 0.9
              when amount >= 900
            rule watch: review weight 0.5
              when amount >= 100
            rule trusted: allow
              when target == "MER-TRUSTED"
            """);
        var partitions = StartPartitions(Context(rules: new RuleSettings().UsePack(pack)));
        var released = Enum.GetValues<Outcome>().ToDictionary(o => o, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var written = new ConcurrentQueue<(Outcome Outlet, int Offset, string Action)>();
        Flow<IReadOnlyList<OutboundRecord<int>>, IReadOnlyList<int>, NotUsed> Writer(Outcome outlet) =>
            Flow.Create<IReadOnlyList<OutboundRecord<int>>>()
                .Select(group =>
                {
                    foreach (var record in group)
                    {
                        // A dead letter carries the original bytes, not JSON.
                        var action = outlet == Outcome.DeadLetter ? "-" : ActionOf(record.Value!);
                        written.Enqueue((outlet, record.Source.Input.Ack, action));
                    }

                    return (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray();
                })
                .SelectAsync(1, async group =>
                {
                    await released[outlet].Task;
                    return group;
                });
        var sinks = new DetectorSinks<int>(Writer(Outcome.Legit), Writer(Outcome.Fraud), Writer(Outcome.DeadLetter), Writer(Outcome.Review));
        var (input, commits) = DetectorGraph.Create(this.SourceProbe<InboundRecord<int>>(), new PartitionScorer(Sys, partitions, TimeSpan.FromSeconds(5)), sinks, this.SinkProbe<int>(), 4)
            .Run(Materializer);
        commits.Request(10);

        // One at a time, each its own group: a group's parts leave the Partition stage in outlet order, so a held legit
        // writer would otherwise hold the review part of the same group behind it.
        void Send(InboundRecord<int> record)
        {
            var before = written.Count;
            input.SendNext(record);
            AwaitCondition(() => written.Count == before + 1, TimeSpan.FromSeconds(10));
        }

        Send(Record(0, Tx(0, 10m, account: "ACC-4")));                                                       // nothing matched: legit
        Send(Record(1, Tx(1, 150m, account: "ACC-4")));                                                      // review
        Send(Record(2, Tx(2, 950m, account: "ACC-4")));                                                      // block (and review): fraud
        Send(new InboundRecord<int>(null, "{nope"u8.ToArray(), [], new RecordOrigin(Topic, 0, 3, T0, 1), 3)); // dead letter
        Assert.Equal([(Outcome.Legit, 0, "legit"), (Outcome.Review, 1, "review"), (Outcome.Fraud, 2, "block"), (Outcome.DeadLetter, 3, "-")],
            written.OrderBy(w => w.Offset));

        // Each outlet acknowledges on its own: the review topic's answer alone commits the reviewed record alone.
        commits.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        released[Outcome.Review].SetResult();
        Assert.Equal(1, commits.ExpectNext(TimeSpan.FromSeconds(10)));
        commits.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        foreach (var outlet in new[] { Outcome.Legit, Outcome.Fraud, Outcome.DeadLetter })
        {
            released[outlet].SetResult();
        }

        Assert.Equal([0, 2, 3], Enumerable.Range(0, 3).Select(_ => commits.ExpectNext(TimeSpan.FromSeconds(10))).Order());

        // An allow rule beats the block rule that also matched: the record goes to legit, its action "allow".
        Send(Record(4, Tx(4, 950m, account: "ACC-4") with { Target = "MER-TRUSTED" }));
        Assert.Equal((Outcome.Legit, 4, "allow"), written.Last());
        Assert.Equal(4, commits.ExpectNext(TimeSpan.FromSeconds(10)));
        input.SendComplete();
        commits.ExpectComplete();
    }
}

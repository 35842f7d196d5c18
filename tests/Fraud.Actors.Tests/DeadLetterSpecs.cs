using System.Security.Cryptography;
using System.Text;
using Akka.Streams;
using Akka.Streams.Dsl;
using Fraud.Actors.Partitions;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// The dead-letter contract under hostile records: one record's failure is that record's dead letter, a dead letter too
/// large for the broker is cut to fit and says how, and a null value stays null.
/// </summary>
public sealed class DeadLetterSpecs : PartitionSpec
{
    private static readonly RecordOrigin Origin = new("queueing.transactions", 2, 77, T0);

    private static InboundRecord<int> Input(byte[]? value, byte[]? key = null, int ack = 0, params (string Key, string Value)[] headers) =>
        new(key, value, headers.Select(h => new KeyValuePair<string, byte[]>(h.Key, Encoding.UTF8.GetBytes(h.Value))).ToArray(), Origin with { Offset = ack }, ack);

    private static string Header(OutboundRecord<int> record, string name) =>
        Encoding.UTF8.GetString(record.Headers.Single(h => h.Key == name).Value);

    private static long Size(OutboundRecord<int> r) =>
        (r.Key?.Length ?? 0) + (r.Value?.Length ?? 0) + r.Headers.Sum(h => Encoding.UTF8.GetByteCount(h.Key) + h.Value.Length);

    [Fact]
    public void Should_cut_a_dead_letter_too_large_for_the_broker_and_say_how_in_its_headers()
    {
        var garbage = new byte[999_900];
        new Random(5).NextBytes(garbage);
        var input = Input(garbage, Encoding.UTF8.GetBytes("k"), 0, ("trace", "t-1"));
        var parsed = TransactionParser.Parse(input.Value, input.Origin, RecordLimits.Default, T0);
        var dead = OutputRecords.ToOutbound(new ScoredRecord<int>(input, Outcome.DeadLetter, null, null, parsed.Reason, parsed.Detail));

        Assert.Equal(Outcome.DeadLetter, dead.Outcome);
        Assert.True(Size(dead) + 256 <= RecordLimits.Default.MaxOutputBytes, $"{Size(dead)} bytes");
        Assert.Equal(garbage.AsSpan(0, dead.Value!.Length).ToArray(), dead.Value); // a prefix of the original, byte for byte
        Assert.True(dead.Value.Length > 900_000);
        Assert.Equal("value", Header(dead, OutputRecords.TruncatedHeader));
        Assert.Equal("999900", Header(dead, OutputRecords.OriginalBytesHeader));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(garbage)), Header(dead, OutputRecords.OriginalSha256Header));
        Assert.Equal("queueing.transactions-2-0", Header(dead, OutputRecords.OriginHeader));
        Assert.Equal(RejectReasons.RecordTooLarge, Header(dead, OutputRecords.ReasonHeader));
        Assert.Equal("t-1", Header(dead, "trace"));
        Assert.Equal("k", Encoding.UTF8.GetString(dead.Key!));
    }

    [Fact]
    public void Should_cut_the_key_too_when_the_key_alone_is_too_large()
    {
        var key = Encoding.UTF8.GetBytes(new string('k', 1_100_000));
        var value = Encoding.UTF8.GetBytes(new string('v', 600_000));
        var dead = OutputRecords.ToOutbound(new ScoredRecord<int>(Input(value, key), Outcome.DeadLetter, null, null, RejectReasons.RecordTooLarge, "big"));

        Assert.True(Size(dead) + 256 <= RecordLimits.Default.MaxOutputBytes, $"{Size(dead)} bytes");
        Assert.Equal("value,key", Header(dead, OutputRecords.TruncatedHeader));
    }

    [Fact]
    public void Should_leave_a_dead_letter_that_fits_as_it_came()
    {
        var value = Encoding.UTF8.GetBytes("{garbage");
        var dead = OutputRecords.ToOutbound(new ScoredRecord<int>(Input(value), Outcome.DeadLetter, null, null, RejectReasons.InvalidJson, "bad"));

        Assert.Equal(value, dead.Value);
        Assert.DoesNotContain(dead.Headers, h => h.Key == OutputRecords.TruncatedHeader);
    }

    [Fact]
    public void Should_keep_a_null_value_null_with_its_headers()
    {
        var input = Input(null, Encoding.UTF8.GetBytes("acc"), 0, ("trace", "t-2"));
        var parsed = TransactionParser.Parse(input.Value, input.Origin, RecordLimits.Default, T0);
        var dead = OutputRecords.ToOutbound(new ScoredRecord<int>(input, Outcome.DeadLetter, null, null, parsed.Reason, parsed.Detail));

        Assert.Null(dead.Value);
        Assert.Equal(RejectReasons.NullValue, Header(dead, OutputRecords.ReasonHeader));
        Assert.Equal("t-2", Header(dead, "trace"));
    }

    [Fact]
    public void Should_say_where_a_review_came_from_and_leave_other_outputs_headers_as_the_input_had_them()
    {
        var input = Input("""{"transactionId":"t","source":"A","amount":950}"""u8.ToArray(), "A"u8.ToArray(), 17, ("x-fraud-scenario", "large-amount"));
        var parsed = TransactionParser.Parse(input.Value, input.Origin, RecordLimits.Default, T0);
        var verdict = new Verdict(0.5, [new RuleHit("watch", 950m, 900m, null)], T0, "n") { Action = VerdictAction.Review };
        var review = OutputRecords.ToOutbound(new ScoredRecord<int>(input, Outcome.Review, parsed.Transaction, verdict, Splice: parsed.Splice));
        var fraud = OutputRecords.ToOutbound(new ScoredRecord<int>(input, Outcome.Fraud, parsed.Transaction, verdict with { Action = VerdictAction.Block }, Splice: parsed.Splice));

        Assert.Equal($"{input.Origin.Topic}-{input.Origin.Partition}-17", Header(review, OutputRecords.ReviewOriginHeader));
        Assert.Equal(input.Origin.Partition, RecordOrigin.PartitionOf(Header(review, OutputRecords.ReviewOriginHeader)));
        Assert.Equal("large-amount", Header(review, "x-fraud-scenario"));
        Assert.Same(input.Headers, fraud.Headers);
    }

    [Fact]
    public void Should_make_an_output_too_large_for_the_broker_a_dead_letter()
    {
        var limits = new RecordLimits { MaxRecordBytes = 2_000_000 };
        var json = $$"""{"source":"A","amount":950,"note":"{{new string('n', 1_100_000)}}"}""";
        var input = Input(Encoding.UTF8.GetBytes(json));
        var parsed = TransactionParser.Parse(input.Value, input.Origin, limits, T0);
        var verdict = new Verdict(0.9, [new RuleHit(LargeAmountRule.Id, 950m, 900m, null)], T0, "n");
        var output = OutputRecords.ToOutbound(new ScoredRecord<int>(input, Outcome.Fraud, parsed.Transaction, verdict, Splice: parsed.Splice), limits);

        Assert.Equal(Outcome.DeadLetter, output.Outcome);
        Assert.Equal(Outcome.DeadLetter, output.Source.Outcome); // counted as what was written
        Assert.Equal(RejectReasons.OutputTooLarge, Header(output, OutputRecords.ReasonHeader));
        Assert.Equal("value", Header(output, OutputRecords.TruncatedHeader));
    }

    [Fact]
    public void Should_bound_the_detail_and_keep_it_valid_utf8()
    {
        var detail = string.Concat(Enumerable.Repeat("é", 2000));
        var dead = OutputRecords.ToOutbound(new ScoredRecord<int>(Input([1]), Outcome.DeadLetter, null, null, RejectReasons.InvalidJson, detail));
        var bytes = dead.Headers.Single(h => h.Key == OutputRecords.DetailHeader).Value;

        Assert.InRange(bytes.Length, 500, 512);
        Assert.True(System.Text.Unicode.Utf8.IsValid(bytes));
    }

    [Fact]
    public void Should_dead_letter_only_the_record_whose_scoring_threw()
    {
        // Two amounts whose windowed sum overflows decimal, sent past the parser (which refuses them): the partition
        // actor's own isolation, the last line of defence.
        var region = StartPartitions(Context());
        region.Tell(new ScoreTransactions(0, 1, [Tx(0, decimal.MaxValue, account: "ACC-O"), Tx(1, decimal.MaxValue, account: "ACC-O"), Tx(2, 5m, account: "ACC-P")], [0, 1, 2]), TestActor);
        var scored = ExpectMsg<TransactionsScored>(TimeSpan.FromSeconds(10));

        Assert.NotNull(scored.Verdicts[0]);
        Assert.Null(scored.Verdicts[1]);
        Assert.Contains("System.OverflowException", scored.Failures![1]);
        Assert.NotNull(scored.Verdicts[2]);
        Assert.Null(scored.Failures[0]);

        // The partition goes on scoring.
        Assert.False(Score(region, Tx(3, 7m, account: "ACC-P"), 3).IsFraud);
    }

    [Fact]
    public async Task Should_route_a_record_whose_scoring_failed_to_the_dead_letter_outlet_with_its_bytes()
    {
        var written = new List<OutboundRecord<int>>();
        Flow<IReadOnlyList<OutboundRecord<int>>, IReadOnlyList<int>, Akka.NotUsed> Writer() =>
            Flow.Create<IReadOnlyList<OutboundRecord<int>>>().Select(group =>
            {
                lock (written)
                {
                    written.AddRange(group);
                }

                return (IReadOnlyList<int>)group.Select(r => r.Source.Input.Ack).ToArray();
            });
        var inputs = new[] { "fine-1", "boom", "fine-2" }
            .Select((id, i) => Input(TransactionJson.Write(Tx(i, 10m, id: id)), ack: i)).ToArray();
        var (_, committed) = DetectorGraph.Create(Source.From(inputs), new FailingScorer("boom"), new DetectorSinks<int>(Writer(), Writer(), Writer(), Writer()), Sink.Seq<int>(), 4)
            .Run(Sys.Materializer());

        Assert.Equal([0, 1, 2], (await committed.WaitAsync(TimeSpan.FromSeconds(10))).Order());
        var dead = Assert.Single(written, w => w.Outcome == Outcome.DeadLetter);
        Assert.Equal(inputs[1].Value, dead.Value);
        Assert.Equal(RejectReasons.InternalError, Header(dead, OutputRecords.ReasonHeader));
        Assert.Contains("InvalidOperationException", Header(dead, OutputRecords.DetailHeader));
        Assert.Equal(2, written.Count(w => w.Outcome == Outcome.Legit));
    }

    /// <summary>Scores every transaction as legit but the one with the given id, whose scoring "threw".</summary>
    private sealed class FailingScorer(string failingId) : IAccountScorer
    {
        public Task<ScoredBatch> ScoreAsync(IReadOnlyList<ScoreRequest> batch)
        {
            var verdicts = new Verdict?[batch.Count];
            var failures = new string?[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch[i].Transaction.TransactionId == failingId)
                {
                    failures[i] = "System.InvalidOperationException: injected";
                }
                else
                {
                    verdicts[i] = new Verdict(0, [], T0, "spec");
                }
            }

            return Task.FromResult(new ScoredBatch(verdicts, failures));
        }
    }
}

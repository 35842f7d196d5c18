using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace Fraud.Host.Tests;

/// <summary>
/// <c>fraud rules backtest</c> on a history whose verdicts are worked out by hand below: exact hits per rule, totals
/// for both rule sets, the flips between them; the totals counted again from its own <c>--output</c>; the same history
/// read from a topic gives the same figures.
/// </summary>
public sealed class BacktestSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private const string Baseline = """
        rule large: block weight 0.9
          when amount >= 900
        rule burst: block weight 0.8
          when count(60s) + 1 > 5
        """;

    // A lower threshold, a burst that reviews a payment sooner, and a shadow rule that decides nothing.
    private const string Candidate = """
        rule large: block weight 0.9
          when amount >= 400
        rule burst: review weight 0.8
          when count(60s) + 1 > 4
        rule watch: review weight 0.1 shadow
          when amount >= 100
        """;

    // (id, account, amount, seconds after T0, label: null for none)
    private static readonly (string Id, string Account, decimal Amount, int Seconds, bool? Fraud)[] History =
    [
        ("a1", "ACC-A", 950m, 0, true), ("a2", "ACC-A", 100m, 1, false), ("a3", "ACC-A", 1200m, 2, true),
        ("b1", "ACC-B", 10m, 10, false), ("b2", "ACC-B", 10m, 11, false), ("b3", "ACC-B", 10m, 12, false),
        ("b4", "ACC-B", 10m, 13, false), ("b5", "ACC-B", 10m, 14, true), ("b6", "ACC-B", 10m, 15, true),
        ("c1", "ACC-C", 400m, 20, false), ("c2", "ACC-C", 450m, 21, false),
        ("d1", "ACC-D", 50m, 30, null),
    ];

    private static string Line((string Id, string Account, decimal Amount, int Seconds, bool? Fraud) r) =>
        JsonSerializer.Serialize(new { transactionId = r.Id, source = r.Account, target = "MER", amount = r.Amount, currency = "EUR", timestamp = T0.AddSeconds(r.Seconds) });

    [Fact]
    public async Task Should_count_hits_totals_and_flips_exactly_and_the_same_from_a_file_and_a_topic()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-backtest-").FullName;
        var (baseline, candidate, input, labels, output) = (Path.Combine(folder, "baseline.rules"), Path.Combine(folder, "candidate.rules"),
            Path.Combine(folder, "history.jsonl"), Path.Combine(folder, "labels.csv"), Path.Combine(folder, "verdicts.jsonl"));
        File.WriteAllText(baseline, Baseline);
        File.WriteAllText(candidate, Candidate);
        // Shuffled, and one line the detector would dead-letter: the backtest orders by event time and counts it apart.
        File.WriteAllLines(input, History.Reverse().Select(Line).Append("{not json"));
        File.WriteAllLines(labels, History.Where(r => r.Fraud is not null).Select(r => $"{r.Id},{(r.Fraud!.Value ? 1 : 0)}").Prepend("transactionId,is_fraud"));

        var run = await FraudProcess.RunAsync("fraud.dll", ["rules", "backtest", "--candidate", candidate, "--baseline", baseline, "--input", input, "--labels", labels, "--output", output], Patience);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var json = Closing(run.Stdout);
        Assert.Equal(1, json.GetProperty("deadLetters").EnumerateObject().Sum(p => p.Value.GetInt64()));
        var result = json.GetProperty("result");
        Assert.Equal((12, 11, 4), (result.GetProperty("transactions").GetInt32(), result.GetProperty("labelled").GetInt32(), result.GetProperty("frauds").GetInt32()));

        // Baseline: a1, a3 large; b6 the sixth in a minute. Candidate: a1, a3, c1, c2 large; b5, b6 reviewed.
        AssertTotals(result.GetProperty("baseline"), flagged: 3, blocked: 3, reviewed: 0, tp: 3, fp: 0, fn: 1, precision: 1, recall: 0.75, f1: 0.8571);
        AssertTotals(result.GetProperty("candidate"), flagged: 6, blocked: 4, reviewed: 2, tp: 4, fp: 2, fn: 0, precision: 0.6667, recall: 1, f1: 0.8);
        var rules = result.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!);
        AssertRule(rules["large"], "active", hits: 4, amount: 3000m, precision: 0.5, onlyThis: 0);
        AssertRule(rules["burst"], "active", hits: 2, amount: 20m, precision: 1, onlyThis: 2);
        AssertRule(rules["watch"], "shadow", hits: 5, amount: 3100m, precision: 0.4, onlyThis: 1); // a2: only the shadow rule
        var flips = result.GetProperty("flips").EnumerateArray()
            .Select(f => (f.GetProperty("from").GetString(), f.GetProperty("to").GetString(), f.GetProperty("count").GetInt32(), f.GetProperty("amount").GetDecimal())).ToList();
        Assert.Equal([("legit", "block", 2, 850m), ("block", "review", 1, 10m), ("legit", "review", 1, 10m)], flips);
        Assert.Contains("legit -> block: 2 transactions", run.Stdout);

        // Counted again from the verdicts file: the same totals, and "changed" exactly on the flips.
        var verdicts = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(12, verdicts.Count);
        var flagged = verdicts.Where(v => v.GetProperty("candidate").GetProperty("action").GetString() is "block" or "review").ToList();
        var labelledFlagged = flagged.Where(v => v.GetProperty("isFraud").ValueKind != JsonValueKind.Null).ToList();
        var truePositives = labelledFlagged.Count(v => v.GetProperty("isFraud").GetBoolean());
        var frauds = verdicts.Count(v => v.GetProperty("isFraud").ValueKind == JsonValueKind.True);
        Assert.Equal(Math.Round((double)truePositives / labelledFlagged.Count, 4), result.GetProperty("candidate").GetProperty("precision").GetDouble());
        Assert.Equal(Math.Round((double)truePositives / frauds, 4), result.GetProperty("candidate").GetProperty("recall").GetDouble());
        Assert.Equal(4, verdicts.Count(v => v.GetProperty("changed").GetBoolean()));
        Assert.Equal(["a1", "a2", "a3", "b1", "b2", "b3", "b4", "b5", "b6", "c1", "c2", "d1"], verdicts.Select(v => v.GetProperty("transactionId").GetString())); // event-time order

        // The same history on a topic: the same figures.
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        Produce($"127.0.0.1:{port}", History.Select(r => (r.Account, Line(r))).Append(("ACC-X", "{not json")));
        var fromTopic = await FraudProcess.RunAsync("fraud.dll", ["rules", "backtest", "--candidate", candidate, "--baseline", baseline,
            "--topic", "queueing.transactions", "--from-beginning", "--labels", labels, "--bootstrap", $"127.0.0.1:{port}"], Patience);
        Assert.True(fromTopic.ExitCode == 0, fromTopic.Stdout + fromTopic.Stderr);
        Assert.Equal(result.GetRawText(), Closing(fromTopic.Stdout).GetProperty("result").GetRawText());
    }

    [Fact]
    public async Task Should_refuse_what_it_cannot_read_in_one_line()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-backtest-").FullName;
        var (rules, input, labels) = (Path.Combine(folder, "c.rules"), Path.Combine(folder, "in.jsonl"), Path.Combine(folder, "labels.csv"));
        File.WriteAllText(rules, Baseline);
        File.WriteAllLines(input, History.Select(Line));
        File.WriteAllLines(labels, ["transactionId,is_fraud", "a1,1", "a2,maybe"]);

        foreach (var (args, error) in new (string[], string)[]
        {
            (["--candidate", rules, "--baseline", "none", "--input", input, "--labels", labels], $"{labels}:3: a label line is transactionId,is_fraud"),
            (["--candidate", rules, "--baseline", "none"], "a backtest reads one history"),
            (["--candidate", Path.Combine(folder, "missing.rules"), "--baseline", "none", "--input", input], "missing.rules"),
            (["--candidate", rules, "--baseline", "none", "--input", input, "--labels", "decisions"], "--labels decisions reads the analysts' decisions from fraud.decisions: give --bootstrap"),
        })
        {
            var run = await FraudProcess.RunAsync("fraud.dll", ["rules", "backtest", .. args], Patience);
            Assert.Equal(2, run.ExitCode);
            var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: ", line);
            Assert.Contains(error, line);
        }
    }

    private static JsonElement Closing(string stdout) =>
        JsonDocument.Parse(stdout.Split('\n').Last(l => l.StartsWith("backtest: ", StringComparison.Ordinal))["backtest: ".Length..]).RootElement;

    private static void AssertTotals(JsonElement t, int flagged, int blocked, int reviewed, int tp, int fp, int fn, double precision, double recall, double f1)
    {
        Assert.Equal((flagged, blocked, reviewed), (t.GetProperty("flagged").GetInt32(), t.GetProperty("blocked").GetInt32(), t.GetProperty("reviewed").GetInt32()));
        Assert.Equal((tp, fp, fn), (t.GetProperty("truePositives").GetInt32(), t.GetProperty("falsePositives").GetInt32(), t.GetProperty("falseNegatives").GetInt32()));
        Assert.Equal((precision, recall, f1), (t.GetProperty("precision").GetDouble(), t.GetProperty("recall").GetDouble(), t.GetProperty("f1").GetDouble()));
    }

    private static void AssertRule(JsonElement r, string mode, int hits, decimal amount, double precision, int onlyThis)
    {
        Assert.Equal((mode, hits, amount), (r.GetProperty("mode").GetString(), r.GetProperty("hits").GetInt32(), r.GetProperty("hitAmount").GetDecimal()));
        Assert.Equal((precision, onlyThis), (r.GetProperty("precision").GetDouble(), r.GetProperty("onlyThis").GetInt32()));
    }

    private static void Produce(string bootstrap, IEnumerable<(string Key, string Value)> records)
    {
        Fraud.Kafka.Native.Librdkafka.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        foreach (var (key, value) in records)
        {
            producer.Produce("queueing.transactions", new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }
}

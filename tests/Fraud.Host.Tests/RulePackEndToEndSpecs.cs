using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Actors.Transactions;
using Fraud.Kafka.Native;

namespace Fraud.Host.Tests;

/// <summary>
/// An analyst's own pack, named by <c>Fraud__Rules__File</c>, run by <c>fraud detect</c> against a broker process:
/// each action lands in its topic (review in <c>streaming.transactions.review</c>), reference amounts come from the
/// pack's rates, lists from its folder, and each hit says its version and what it saw.
/// </summary>
public sealed class RulePackEndToEndSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private const string Pack = """
        rule big: block weight 0.9 version 2
          when amount_ref >= 1000

        rule mid: review weight 0.5
          when amount_ref in 300..999.99

        rule trusted: allow
          when target in @trusted

        rule device-hop: review weight 0.4
          when distinct(device, 10m) >= 2

        # Fields of the producer's own, read by name: a score from an upstream model, and the payer's IP address.
        rule upstream-score: block weight 0.8
          when field("risk_score") >= 0.9

        rule ip-hop: review weight 0.3
          when distinct(field("ip"), 10m) >= 2
        """;

    [Fact]
    public async Task Should_send_each_action_of_an_analysts_pack_to_its_topic_with_what_each_rule_saw()
    {
        var folder = Directory.CreateTempSubdirectory("fraud-pack-").FullName;
        File.WriteAllText(Path.Combine(folder, "analyst.rules"), Pack);
        File.WriteAllText(Path.Combine(folder, "trusted.list"), "# merchants we never block\nMER-TRUSTED\n");
        File.WriteAllText(Path.Combine(folder, "rates.txt"), "reference USD\nEUR 1.10\nJPY 0.0067\n");

        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var bootstrap = $"127.0.0.1:{port}";

        var now = DateTimeOffset.UtcNow;
        Transaction Tx(string id, string account, decimal amount, string currency, string target = "MER-1", string device = "dev-1", int second = 0) =>
            new(id, account, target, amount, currency, now.AddSeconds(second), "grocery", "US", device);
        var transactions = new[]
        {
            Tx("t-legit", "ACC-A", 50m, "USD"),
            Tx("t-review", "ACC-B", 500m, "EUR"),            // 550.00 USD
            Tx("t-block", "ACC-C", 200_000m, "JPY"),         // 1340.00 USD
            Tx("t-allow", "ACC-D", 5000m, "USD", target: "MER-TRUSTED"),
            Tx("t-hop-1", "ACC-E", 10m, "USD", device: "dev-1", second: 0),
            Tx("t-hop-2", "ACC-E", 10m, "USD", device: "dev-2", second: 1),
            Tx("t-hop-3", "ACC-E", 10m, "USD", device: "dev-3", second: 2), // two other devices in 10 m
            Tx("t-unrated", "ACC-F", 900_000m, "XYZ"),       // no rate: no reference amount, nothing compares
        };
        // Records with fields of their own, as a producer writes them; the detector keeps only those the rules name.
        string Extra(string id, string account, int second, string extra) =>
            $$"""{"transactionId":"{{id}}","source":"{{account}}","target":"MER-1","amount":10,"currency":"USD","timestamp":"{{now.AddSeconds(second):O}}",{{extra}}}""";
        var withFields = new[]
        {
            ("t-scored", "ACC-H", Extra("t-scored", "ACC-H", 0, "\"risk_score\":\"0.95\",\"ip\":\"10.0.0.9\"")),
            ("t-ip-1", "ACC-I", Extra("t-ip-1", "ACC-I", 0, "\"ip\":\"10.0.0.1\",\"risk_score\":0.1")),
            ("t-ip-2", "ACC-I", Extra("t-ip-2", "ACC-I", 1, "\"ip\":\"10.0.0.2\"")),
            ("t-ip-3", "ACC-I", Extra("t-ip-3", "ACC-I", 2, "\"ip\":\"10.0.0.3\",\"ignored\":{\"deep\":[1,2]}")),
        };
        Produce(bootstrap, transactions.Select(t => (t.Source, TransactionJson.Write(t)))
            .Concat(withFields.Select(r => (r.Item2, Encoding.UTF8.GetBytes(r.Item3))))
            .Append(("ACC-G", "not json {"u8.ToArray())));
        var expected = transactions.Length + withFields.Length;

        var env = new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = bootstrap,
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Fraud__Rules__File"] = Path.Combine(folder, "analyst.rules"),
            ["Checkpoints__ConnectionString"] = $"Data Source={FraudProcess.NewCheckpointFile()}",
        };
        await using var detector = FraudProcess.Start("fraud.dll", ["detect"], env);
        await detector.WaitForLineAsync("(6 rules, 6 active)", Patience);

        var outputs = new Dictionary<string, (string Topic, JsonElement Verdict)>();
        var deadline = DateTime.UtcNow + Patience;
        while (outputs.Count < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {outputs.Count} of {expected} written; stdout:\n{detector.Stdout}");
            await Task.Delay(500);
            outputs.Clear();
            foreach (var topic in new[] { "streaming.transactions.legit", "streaming.transactions.fraud", "streaming.transactions.review" })
            {
                foreach (var record in KafkaTopics.ReadAll(bootstrap, topic, Patience))
                {
                    var root = JsonDocument.Parse(record.Message.Value!).RootElement;
                    outputs[root.GetProperty("transactionId").GetString()!] = (topic, root.GetProperty("verdict").Clone());
                }
            }
        }

        void Expect(string id, string topic, string action, params string[] rules)
        {
            var (where, verdict) = outputs[id];
            Assert.True(where == topic, $"{id} went to {where}, not {topic}");
            Assert.Equal(action, verdict.GetProperty("action").GetString());
            Assert.Equal(rules, verdict.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order());
        }

        Expect("t-legit", "streaming.transactions.legit", "legit");
        Expect("t-review", "streaming.transactions.review", "review", "mid");
        Expect("t-block", "streaming.transactions.fraud", "block", "big");
        Expect("t-allow", "streaming.transactions.legit", "allow", "big", "trusted");
        Expect("t-hop-1", "streaming.transactions.legit", "legit");
        Expect("t-hop-2", "streaming.transactions.legit", "legit");
        Expect("t-hop-3", "streaming.transactions.review", "review", "device-hop");
        Expect("t-unrated", "streaming.transactions.legit", "legit");
        Expect("t-scored", "streaming.transactions.fraud", "block", "upstream-score");
        Expect("t-ip-1", "streaming.transactions.legit", "legit");
        Expect("t-ip-2", "streaming.transactions.legit", "legit");
        Expect("t-ip-3", "streaming.transactions.review", "review", "ip-hop");

        // What each rule saw, converted with the pack's rates; the version the analyst gave the rule.
        JsonElement Hit(string id, string rule) => outputs[id].Verdict.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("id").GetString() == rule);
        Assert.Equal(550.00m, Hit("t-review", "mid").GetProperty("values").GetProperty("amount_ref").GetDecimal());
        Assert.Equal(1340.00m, Hit("t-block", "big").GetProperty("values").GetProperty("amount_ref").GetDecimal());
        Assert.Equal(2, Hit("t-block", "big").GetProperty("version").GetInt32());
        Assert.Equal(1, Hit("t-review", "mid").GetProperty("version").GetInt32());
        Assert.Equal(2m, Hit("t-hop-3", "device-hop").GetProperty("values").GetProperty("distinct(device, 10m)").GetDecimal());
        Assert.Equal("MER-TRUSTED", Hit("t-allow", "trusted").GetProperty("values").GetProperty("target").GetString());
        Assert.Equal("0.95", Hit("t-scored", "upstream-score").GetProperty("values").GetProperty("field(\"risk_score\")").GetString());
        Assert.Equal(2m, Hit("t-ip-3", "ip-hop").GetProperty("values").GetProperty("distinct(field(\"ip\"), 10m)").GetDecimal());

        // The record that is not a transaction is a dead letter, as under any pack.
        var dead = Assert.Single(KafkaTopics.ReadAll(bootstrap, "streaming.transactions.dead-letter", Patience));
        Assert.Equal("not json {"u8.ToArray(), dead.Message.Value);
    }

    private static void Produce(string bootstrap, IEnumerable<(string Key, byte[] Value)> records)
    {
        Librdkafka.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        foreach (var (key, value) in records)
        {
            producer.Produce("queueing.transactions", new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }
}

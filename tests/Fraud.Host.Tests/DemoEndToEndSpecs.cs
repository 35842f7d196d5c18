using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Fraud.Actors.Detection;
using Fraud.Kafka.Native;

namespace Fraud.Host.Tests;

/// <summary>
/// The product as a user runs it: a broker process, a plain producer writing a seed-schema message and garbage, then
/// <c>fraud demo --duration 20 --seed 42</c> against that broker; then every output topic is read back and compared.
/// </summary>
public sealed class DemoEndToEndSpecs
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private const string Input = "queueing.transactions";
    private static readonly string[] Outputs = ["streaming.transactions.legit", "streaming.transactions.fraud", "streaming.transactions.dead-letter"];

    [Fact]
    public async Task Should_score_every_transaction_into_exactly_one_topic_and_find_the_injected_fraud()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()]);
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var bootstrap = $"127.0.0.1:{port}";

        var seedSchema = """{"source":"seed-account","target":"seed-target","amount":950.5,"currency":"USD"}"""u8.ToArray();
        var garbage = "this is not a transaction {"u8.ToArray();
        Produce(bootstrap, seedSchema, garbage);

        var demo = await FraudProcess.RunAsync("fraud.dll", ["demo", "--duration", "20", "--seed", "42", "--traffic", "clean"], Patience,
            new Dictionary<string, string> { ["Kafka__BootstrapServers"] = bootstrap, ["Kafka__Consumer__fetch.wait.max.ms"] = "10" });
        Assert.True(demo.ExitCode == 0, demo.Stdout + demo.Stderr);

        var summaryLine = demo.Stdout.Split('\n').Single(l => l.StartsWith("summary: ", StringComparison.Ordinal));
        using var summary = JsonDocument.Parse(summaryLine["summary: ".Length..]);
        var root = summary.RootElement;
        Assert.True(root.GetProperty("produced").GetInt64() > 10_000);
        Assert.True(root.GetProperty("precision").GetDouble() >= 0.9, summaryLine);
        foreach (var scenario in root.GetProperty("scenarios").EnumerateObject())
        {
            Assert.True(scenario.Value.GetProperty("recall").GetDouble() >= 0.95, $"{scenario.Name}: {summaryLine}");
        }

        // Every input record appears in exactly one output topic.
        var inputs = ReadAll(bootstrap, Input);
        var inputIds = inputs.Select(InputId).ToList();
        Assert.Equal(inputIds.Count, inputIds.Distinct().Count());
        var outputIds = new Dictionary<string, List<string>>();
        foreach (var topic in Outputs)
        {
            foreach (var record in ReadAll(bootstrap, topic))
            {
                var id = topic.EndsWith("dead-letter") ? Header(record, OutputRecords.OriginHeader)! : TransactionId(record.Message.Value!);
                (outputIds.TryGetValue(id, out var where) ? where : outputIds[id] = new()).Add(topic);
            }
        }

        var lost = inputIds.Where(id => !outputIds.ContainsKey(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} inputs in no output topic, e.g. {string.Join(", ", lost.Take(5))}");
        var repeated = outputIds.Where(o => o.Value.Count != 1).ToList();
        Assert.True(repeated.Count == 0, $"{repeated.Count} inputs in more than one output, e.g. {string.Join(", ", repeated.Take(5).Select(r => r.Key))}");
        Assert.Equal(inputIds.Count, outputIds.Count);

        // The seed's own message is scored (950.5 >= 900), the garbage is dead-lettered with its bytes untouched.
        var seedRecord = inputs.Single(r => r.Message.Value!.SequenceEqual(seedSchema));
        Assert.Equal(["streaming.transactions.fraud"], outputIds[$"{Input}-{seedRecord.Partition.Value}-{seedRecord.Offset.Value}"]);
        var deadLetters = ReadAll(bootstrap, Outputs[2]);
        var dead = Assert.Single(deadLetters);
        Assert.Equal(garbage, dead.Message.Value);
        Assert.Equal("invalid-json", Header(dead, OutputRecords.ReasonHeader));
    }

    [Fact]
    public async Task Should_show_realistic_traffic_defeating_the_default_pack_and_say_why()
    {
        var demo = await FraudProcess.RunAsync("fraud.dll", ["demo", "--duration", "12", "--seed", "42", "--urls", "http://127.0.0.1:0"], Patience);
        Assert.True(demo.ExitCode == 0, demo.Stdout + demo.Stderr);
        var summaryLine = demo.Stdout.Split('\n').Single(l => l.StartsWith("summary: ", StringComparison.Ordinal));
        var root = JsonDocument.Parse(summaryLine["summary: ".Length..]).RootElement;
        Assert.Equal("realistic", root.GetProperty("traffic").GetString());
        Assert.InRange(root.GetProperty("precision").GetDouble(), 0.001, 0.999);
        Assert.InRange(root.GetProperty("recall").GetDouble(), 0.001, 0.999);

        // The misses, per scenario, add up; the false positives say which rule and which legit behaviour.
        var scenarios = root.GetProperty("scenarios").EnumerateObject().Select(s => s.Value).ToList();
        Assert.Equal(root.GetProperty("injectedFraud").GetInt64() - root.GetProperty("detectedInjected").GetInt64(), scenarios.Sum(s => s.GetProperty("missed").GetInt64()));
        var byRule = root.GetProperty("falsePositives").GetProperty("byRule");
        var flagged = root.GetProperty("fraud").GetInt64() + root.GetProperty("review").GetInt64();
        Assert.Equal(flagged - root.GetProperty("detectedInjected").GetInt64(), root.GetProperty("falsePositives").GetProperty("byPattern").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.True(byRule.GetProperty("large-amount").GetInt64() > 0, summaryLine); // yen and rupee amounts against a raw threshold
        Assert.True(root.GetProperty("legitPatterns").GetProperty("big-purchase").GetInt64() > 0, summaryLine);
    }

    private static void Produce(string bootstrap, params byte[][] values)
    {
        Librdkafka.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        foreach (var value in values)
        {
            producer.Produce(Input, new Message<byte[]?, byte[]?> { Key = "plain"u8.ToArray(), Value = value });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string bootstrap, string topic) => KafkaTopics.ReadAll(bootstrap, topic, Patience);

    private static string InputId(ConsumeResult<byte[]?, byte[]?> record)
    {
        try
        {
            using var doc = JsonDocument.Parse(record.Message.Value);
            if (doc.RootElement.TryGetProperty("transactionId", out var id))
            {
                return id.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        return $"{record.Topic}-{record.Partition.Value}-{record.Offset.Value}";
    }

    private static string TransactionId(byte[] value)
    {
        using var doc = JsonDocument.Parse(value);
        return doc.RootElement.GetProperty("transactionId").GetString()!;
    }

    private static string? Header(ConsumeResult<byte[]?, byte[]?> record, string key) =>
        record.Message.Headers?.TryGetLastBytes(key, out var value) == true ? Encoding.UTF8.GetString(value) : null;
}

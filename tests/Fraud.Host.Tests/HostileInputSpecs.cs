using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Fraud.Actors.Detection;
using Fraud.Actors.Transactions;
using Fraud.Kafka.Native;
using Xunit.Abstractions;

namespace Fraud.Host.Tests;

/// <summary>
/// A detector node on the embedded broker fed as an attacker or a careless producer would: each kind of hostile record
/// the hardening names, and 10,000 fuzzed ones (random bytes, cut and deeply nested JSON, huge fields, bad numbers, bad
/// text, absurd times, tombstones) among 10,000 valid transactions. The node stays up; every valid record is scored
/// once; every hostile one is in the dead-letter topic byte for byte, or cut as documented; every output is valid
/// UTF-8 JSON; a lie about the time blinds no account.
/// </summary>
public sealed partial class HostileInputSpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private const string Input = "queueing.transactions";
    private const string SpecId = "x-spec-id";

    [GeneratedRegex(@"^fraud_transactions_total\{outcome=""[a-z_]+""\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Outcomes();

    private sealed record Sent(string Id, byte[]? Key, byte[]? Value, bool Valid);

    [Fact]
    public async Task Should_stay_up_score_every_valid_record_once_and_dead_letter_every_hostile_one_as_it_came()
    {
        var port = FraudProcess.FreePort();
        await using var broker = FraudProcess.Start("fraud.dll", ["broker", "--port", port.ToString()],
            new Dictionary<string, string> { ["Topics__Partitions"] = "12", ["Topics__OutputPartitions"] = "24" });
        await broker.WaitForLineAsync("broker: listening on", Patience);
        var bootstrap = $"127.0.0.1:{port}";

        var random = new Random(20261203);
        var now = DateTimeOffset.UtcNow;
        var sent = new List<Sent>();
        sent.AddRange(NamedHostile(now));
        var valid = 0;
        var hostile = 0;
        while (valid < 10_000 || hostile < 10_000)
        {
            if (hostile >= 10_000 || (valid < 10_000 && random.Next(2) == 0))
            {
                sent.Add(Valid($"v-{valid++}", random, now));
            }
            else
            {
                sent.Add(Fuzzed($"h-{hostile++}", random, now));
            }
        }

        sent.AddRange(Evasion(now));
        Produce(bootstrap, sent);

        await using var node = FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = bootstrap,
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
        });
        var url = await node.DashboardUrlAsync(Patience);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + Patience;
        double scored = 0;
        while (scored < sent.Count)
        {
            Assert.False(node.HasExited, $"the detector stopped: {node.Stdout}\n{node.Stderr}");
            Assert.True(DateTime.UtcNow < deadline, $"only {scored} of {sent.Count} records written; {node.Stderr}");
            await Task.Delay(500);
            try
            {
                scored = Outcomes().Matches(await http.GetStringAsync(url + "/metrics")).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
            catch (HttpRequestException)
            {
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/ready")).StatusCode);
        node.Terminate();
        await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(node.ExitCode == 0, node.Stderr);

        Verify(bootstrap, sent);
        await ReplayAsync(bootstrap, sent);
    }

    /// <summary><c>fraud replay</c> reads the same hostile topic to its end, with the same outcome for every record.</summary>
    private static async Task ReplayAsync(string bootstrap, List<Sent> sent)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fraud-hostile-replay-{Guid.NewGuid():N}.jsonl");
        try
        {
            var replay = await FraudProcess.RunAsync("fraud.dll", ["replay", "--from-beginning", "--bootstrap", bootstrap, "--output", file], Patience);
            Assert.True(replay.ExitCode == 0, replay.Stderr);
            var summary = File.ReadLines(file).Single(l => l.StartsWith("replayed: ", StringComparison.Ordinal));
            using var json = JsonDocument.Parse(summary["replayed: ".Length..]);
            Assert.Equal(sent.Count(s => !s.Valid), json.RootElement.GetProperty("deadLetter").GetInt64());
            Assert.Equal(sent.Count(s => s.Valid), json.RootElement.GetProperty("legit").GetInt64() + json.RootElement.GetProperty("fraud").GetInt64());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private void Verify(string bootstrap, List<Sent> sent)
    {
        foreach (var topic in new[] { Input, "streaming.transactions.legit", "streaming.transactions.fraud", "streaming.transactions.dead-letter" })
        {
            KafkaTopics.AssertNothingEvicted(bootstrap, topic);
        }

        var byId = sent.ToDictionary(s => s.Id);
        var scored = new Dictionary<string, int>();
        var fraud = new HashSet<string>();
        foreach (var topic in new[] { "streaming.transactions.legit", "streaming.transactions.fraud" })
        {
            foreach (var record in KafkaTopics.ReadAll(bootstrap, topic, Patience))
            {
                var id = Header(record, SpecId)!;
                Assert.True(byId[id].Valid, $"hostile record {id} was scored into {topic}");
                scored[id] = scored.GetValueOrDefault(id) + 1;
                if (topic.EndsWith("fraud", StringComparison.Ordinal))
                {
                    fraud.Add(id);
                }

                StrictJson(record.Message.Value!, id);
            }
        }

        var deadLetters = KafkaTopics.ReadAll(bootstrap, "streaming.transactions.dead-letter", Patience);
        var dead = new Dictionary<string, int>();
        var truncated = 0;
        var reasons = new Dictionary<string, int>();
        foreach (var record in deadLetters)
        {
            var id = Header(record, SpecId) ?? "(headers cut)";
            var reason = Header(record, OutputRecords.ReasonHeader)!;
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            Assert.NotEqual(RejectReasons.InternalError, reason);
            if (!byId.TryGetValue(id, out var original))
            {
                Assert.Fail($"a dead letter without its input's id header: {reason}");
                continue;
            }

            Assert.False(original.Valid, $"valid record {id} was dead-lettered: {reason} {Header(record, OutputRecords.DetailHeader)}");
            dead[id] = dead.GetValueOrDefault(id) + 1;
            if (Header(record, OutputRecords.TruncatedHeader) is { } cut)
            {
                truncated++;
                Assert.Contains("value", cut);
                Assert.Equal(original.Value!.AsSpan(0, record.Message.Value!.Length).ToArray(), record.Message.Value);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original.Value!)), Header(record, OutputRecords.OriginalSha256Header));
            }
            else
            {
                Assert.Equal(original.Value, record.Message.Value); // byte for byte, null as null
            }
        }

        var validIds = sent.Where(s => s.Valid).Select(s => s.Id).ToList();
        var hostileIds = sent.Where(s => !s.Valid).Select(s => s.Id).ToList();
        var figures = $"hostile input: {validIds.Count} valid, {hostileIds.Count} hostile; scored {scored.Count} ({fraud.Count} fraud), dead letters {deadLetters.Count} ({truncated} cut): "
            + string.Join(", ", reasons.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value}"));
        output.WriteLine(figures);
        Assert.True(validIds.All(id => scored.GetValueOrDefault(id) == 1), $"{figures}; not scored exactly once: {string.Join(", ", validIds.Where(id => scored.GetValueOrDefault(id) != 1).Take(5))}");
        Assert.True(hostileIds.All(id => dead.GetValueOrDefault(id) == 1), $"{figures}; not dead-lettered exactly once: {string.Join(", ", hostileIds.Where(id => dead.GetValueOrDefault(id) != 1).Take(5))}");
        Assert.True(truncated >= 1, figures);

        // A lie about the time blinds no account: each burst after one is flagged as on a clean account.
        foreach (var account in new[] { "EVADE-NEAR", "EVADE-FAR", "EVADE-CLEAN" })
        {
            Assert.Contains($"{account}-burst-7", fraud);
        }
    }

    private static void StrictJson(byte[] value, string id)
    {
        Assert.True(System.Text.Unicode.Utf8.IsValid(value), $"{id}: not UTF-8");
        using var json = JsonDocument.Parse(value);
        void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        Walk(p.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = e.GetString(); // throws on a lone surrogate
                    break;
            }
        }

        Walk(json.RootElement);
    }

    private static Sent Valid(string id, Random random, DateTimeOffset now)
    {
        var account = $"ACC-{random.Next(2000):D4}";
        var tx = new Transaction(id, account, $"MER-{random.Next(100)}", Math.Round((decimal)(random.NextDouble() * 400) + 1, 2), "EUR",
            now.AddMilliseconds(-random.Next(60_000)), "grocery", "DE", $"dev-{random.Next(50)}");
        return new Sent(id, Encoding.UTF8.GetBytes(account), TransactionJson.Write(tx), true);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Each kind the hardening names, once.</summary>
    private static IEnumerable<Sent> NamedHostile(DateTimeOffset now)
    {
        var time = now.ToString("O", CultureInfo.InvariantCulture);
        yield return new("named-lone-surrogate", Utf8("k"), Utf8("""{"source":"\ud800","amount":5}"""), false);
        var badUtf8 = Utf8("""{"source":"A-xx","amount":5}""");
        badUtf8[12] = 0xFF;
        yield return new("named-invalid-utf8", Utf8("k"), badUtf8, false);
        var badUnknown = Utf8("""{"source":"A","amount":5,"note":"xx"}""");
        badUnknown[^4] = 0xC3;
        yield return new("named-invalid-utf8-unknown-field", Utf8("k"), badUnknown, false);
        var badCurrency = Utf8("""{"source":"A","amount":5,"currency":"xx"}""");
        badCurrency[^4] = 0xE2;
        yield return new("named-invalid-utf8-currency", Utf8("k"), badCurrency, false);
        yield return new("named-epoch-out-of-range", Utf8("k"), Utf8("""{"source":"A","amount":5,"timestamp":99999999999999999}"""), false);
        yield return new("named-decimal-overflow-1", Utf8("OVER"), Utf8("""{"source":"OVER","amount":79228162514264337593543950335}"""), false);
        yield return new("named-decimal-overflow-2", Utf8("OVER"), Utf8("""{"source":"OVER","amount":79228162514264337593543950335}"""), false);
        var longSource = new string('s', 510 * 1024);
        yield return new("named-510kb-source", Utf8(longSource), Utf8($$"""{"source":"{{longSource}}","amount":5,"timestamp":"{{time}}"}"""), false);
        var garbage = new byte[999_900];
        new Random(3).NextBytes(garbage);
        garbage[0] = (byte)'!';
        yield return new("named-999900-garbage", Utf8("g"), garbage, false);
        for (var i = 0; i < 3; i++)
        {
            yield return new($"named-400kb-source-{i}", Utf8($"big-{i}"), Utf8($$"""{"source":"{{new string('b', 400 * 1024)}}{{i}}","amount":5000}"""), false);
        }

        yield return new("named-year-1", Utf8("k"), Utf8("""{"source":"A","amount":5,"timestamp":"0001-01-01T00:00:00Z"}"""), false);
        yield return new("named-null-value", Utf8("k"), null, false);
        yield return new("named-empty-value", Utf8("k"), [], false);
        yield return new("named-deep", Utf8("k"), Utf8($$"""{"source":"A","amount":5,"n":{{new string('[', 500)}}{{new string(']', 500)}}}"""), false);
    }

    /// <summary>A burst on an account after a lie about the time, and on a clean one to compare.</summary>
    private static IEnumerable<Sent> Evasion(DateTimeOffset now)
    {
        string Tx(string id, string account, DateTimeOffset at) =>
            $$"""{"transactionId":"{{id}}","source":"{{account}}","target":"M","amount":20,"currency":"EUR","timestamp":"{{at.ToString("O", CultureInfo.InvariantCulture)}}"}""";

        yield return new("evade-near-lie", Utf8("EVADE-NEAR"), Utf8(Tx("EVADE-NEAR-lie", "EVADE-NEAR", now.AddMinutes(4))), true);
        yield return new("evade-far-lie", Utf8("EVADE-FAR"), Utf8(Tx("EVADE-FAR-lie", "EVADE-FAR", new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero))), false);
        foreach (var account in new[] { "EVADE-NEAR", "EVADE-FAR", "EVADE-CLEAN" })
        {
            for (var i = 0; i < 8; i++)
            {
                var id = $"{account}-burst-{i}";
                yield return new(id, Utf8(account), Utf8(Tx(id, account, now.AddSeconds(i))), true);
            }
        }
    }

    /// <summary>A record that cannot be a valid transaction, of a random kind.</summary>
    private static Sent Fuzzed(string id, Random random, DateTimeOffset now)
    {
        var key = random.Next(4) == 0 ? null : Utf8($"FZ-{random.Next(500)}");
        var valid = Encoding.UTF8.GetString(TransactionJson.Write(new Transaction(id, $"FZ-{random.Next(500)}", "M", 10m, "EUR", now, "fuel", "FR", "d")));
        byte[] value;
        switch (random.Next(9))
        {
            case 0: // random bytes that do not start an object
                value = new byte[random.Next(1, 600)];
                random.NextBytes(value);
                value[0] = (byte)random.Next(0x80, 0x100);
                break;
            case 1: // a valid record cut short
                value = Utf8(valid[..random.Next(1, valid.Length - 1)]);
                break;
            case 2: // nested past the depth limit
                var depth = random.Next(33, 200);
                value = Utf8($$"""{"source":"FZ","amount":1,"n":{{new string('[', depth)}}{{new string(']', depth)}}}""");
                break;
            case 3: // a known field past its length
                value = Utf8(valid.Replace("\"target\":\"M\"", $"\"target\":\"{new string('t', random.Next(257, 4000))}\"", StringComparison.Ordinal));
                break;
            case 4: // a bad number
                value = Utf8(valid.Replace("\"amount\":10", "\"amount\":" + new[] { "1e400", "-3", "\"ten\"", "1e29", "79228162514264337593543950336", "[1]", "{}", "true", "NaN" }[random.Next(9)], StringComparison.Ordinal));
                break;
            case 5: // an escaped lone surrogate somewhere
                var surrogate = $"\\u{random.Next(0xD800, 0xE000):x4}";
                value = Utf8(random.Next(2) == 0
                    ? valid.Replace("\"fuel\"", $"\"fu{surrogate}el\"", StringComparison.Ordinal)
                    : valid.Insert(1, $"\"extra\":[\"{surrogate}\"],"));
                break;
            case 6: // invalid UTF-8 in a string
                value = Utf8(valid);
                var at = Array.IndexOf(value, (byte)'F') + 1;
                value[at] = (byte)random.Next(0xF8, 0x100);
                break;
            case 7: // an absurd time
                var times = new[] { "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"", "99999999999999999", "-62135596800001", "\"2000-01-01T00:00:00Z\"",
                    "\"" + now.AddHours(2).ToString("O", CultureInfo.InvariantCulture) + "\"", "\"" + now.AddDays(-30).ToString("O", CultureInfo.InvariantCulture) + "\"" };
                value = Utf8(JsonSerializer.Serialize(new { transactionId = id, source = "FZ", amount = 3 }).TrimEnd('}') + ",\"timestamp\":" + times[random.Next(times.Length)] + "}");
                break;
            default: // a tombstone, or nothing
                value = random.Next(2) == 0 ? null! : [];
                break;
        }

        return new Sent(id, key, value, false);
    }

    private static void Produce(string bootstrap, List<Sent> records)
    {
        Librdkafka.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            MessageMaxBytes = 3_000_000,
            LingerMs = 5,
        }).Build();
        var failed = 0;
        foreach (var record in records)
        {
            var message = new Message<byte[]?, byte[]?>
            {
                Key = record.Key,
                Value = record.Value,
                Headers = new Headers { { SpecId, Utf8(record.Id) } },
            };
            while (true)
            {
                try
                {
                    producer.Produce(Input, message, report => { if (report.Error.IsError) Interlocked.Increment(ref failed); });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        producer.Flush(TimeSpan.FromSeconds(60));
        Assert.Equal(0, failed);
    }

    private static string? Header(ConsumeResult<byte[]?, byte[]?> record, string key) =>
        record.Message.Headers?.TryGetLastBytes(key, out var value) == true ? Encoding.UTF8.GetString(value) : null;
}

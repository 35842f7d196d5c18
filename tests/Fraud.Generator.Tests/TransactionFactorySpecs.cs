using System.Text.Json;
using Fraud.Actors.Transactions;
using Fraud.Generator.Scenarios;
using Fraud.Generator.Transactions;

namespace Fraud.Generator.Tests;

public sealed class TransactionFactorySpecs
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The stream at a steady rate, as the token bucket would stamp it.</summary>
    private static List<GeneratedTransaction> Generate(int seed, int count, double rate = 1000, double share = 0.02, int accounts = 50_000)
    {
        var factory = new TransactionFactory(seed, accounts, share);
        return Enumerable.Range(0, count).Select(i => factory.Next(Start.AddSeconds(i / rate))).ToList();
    }

    [Fact]
    public void Should_give_an_identical_stream_for_the_same_seed()
    {
        var a = Generate(42, 5000).Select(g => (JsonSerializer.Serialize(g.Transaction), g.Scenario));
        var b = Generate(42, 5000).Select(g => (JsonSerializer.Serialize(g.Transaction), g.Scenario));
        var c = Generate(43, 5000).Select(g => (JsonSerializer.Serialize(g.Transaction), g.Scenario));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Should_inject_the_configured_share_of_scenario_traffic()
    {
        var stream = Generate(7, 50_000, share: 0.04);
        var share = stream.Count(g => g.InScenario) / (double)stream.Count;
        Assert.InRange(share, 0.03, 0.05);
        Assert.Equal(FraudScenario.All.Order(), stream.Where(g => g.Scenario is not null).Select(g => g.Scenario!).Distinct().Order());
        Assert.All(stream.Where(g => g.Scenario is not null), g => Assert.True(g.InScenario));
    }

    [Fact]
    public void Should_write_valid_json_with_every_field()
    {
        var origin = new RecordOrigin("t", 0, 0, Start);
        foreach (var generated in Generate(1, 2000))
        {
            var json = TransactionJson.Write(generated.Transaction);
            using var doc = JsonDocument.Parse(json);
            foreach (var field in new[] { "transactionId", "source", "target", "amount", "currency", "timestamp", "merchantCategory", "country", "deviceId" })
            {
                Assert.True(doc.RootElement.TryGetProperty(field, out _), $"missing {field}");
            }

            Assert.False(doc.RootElement.TryGetProperty("scenario", out _)); // the label never travels in the body
            var parsed = TransactionParser.Parse(json, origin);
            Assert.Equal(generated.Transaction with { ReceivedAt = Start }, parsed.Transaction);
        }
    }

    [Fact]
    public void Should_keep_normal_accounts_within_a_realistic_pace_and_amount()
    {
        var stream = Generate(3, 30_000);
        var normal = stream.Where(g => !g.InScenario).Select(g => g.Transaction).ToList();
        Assert.All(normal, t => Assert.InRange(t.Amount, 1.00m, 450m));
        foreach (var account in normal.GroupBy(t => t.Source))
        {
            var times = account.Select(t => t.Timestamp).Order().ToArray();
            for (var i = TransactionFactory.NormalPerMinute; i < times.Length; i++)
            {
                Assert.True(times[i] - times[i - TransactionFactory.NormalPerMinute] > TimeSpan.FromMinutes(1), $"{account.Key} too fast");
            }
        }

        // Skewed: the busiest tenth of the active accounts makes far more than a tenth of the payments.
        var perAccount = normal.GroupBy(t => t.Source).Select(g => g.Count()).OrderDescending().ToArray();
        Assert.True(perAccount.Take(perAccount.Length / 10).Sum() > 0.2 * normal.Count);
    }
}

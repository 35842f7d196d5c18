using Fraud.Actors.Transactions;
using Fraud.Generator.Running;
using Fraud.Generator.Scenarios;
using Fraud.Generator.Transactions;

namespace Fraud.Generator.Tests;

public sealed class RealisticTrafficSpecs
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private const double Rate = 50; // simulated: 200,000 messages are 67 minutes of traffic, long enough for slow fraud
    private static readonly Lazy<List<GeneratedTransaction>> Stream = new(() =>
    {
        var factory = new TransactionFactory(17, 10_000, 0.02, Traffic.Realistic);
        return Enumerable.Range(0, 200_000).Select(i => factory.Next(Start.AddSeconds(i / Rate))).ToList();
    });

    [Fact]
    public void Should_keep_each_configured_share_within_a_fifth()
    {
        var stream = Stream.Value;
        double Share(Func<GeneratedTransaction, bool> which) => stream.Count(which) / (double)stream.Count;
        var mix = new TrafficMix();
        Assert.InRange(Share(g => g.Scenario is not null), 0.02 * 0.8, 0.02 * 1.2);
        Assert.InRange(Share(g => g.Pattern == LegitPattern.BigPurchase), mix.BigPurchases * 0.8, mix.BigPurchases * 1.2);
        Assert.InRange(Share(g => g.Pattern == LegitPattern.TapBurst), mix.TapBursts * 0.8, mix.TapBursts * 1.2);
        Assert.InRange(Share(g => g.Pattern == LegitPattern.DeviceChange), mix.DeviceChanges * 0.8, mix.DeviceChanges * 1.2);
        // A trip's payment abroad may land after the stream ends: its departures are half the configured share.
        var departures = stream.Where(g => g.Pattern == LegitPattern.Trip).GroupBy(g => g.Session).Count();
        Assert.InRange(departures / (double)stream.Count, mix.Trips / 2 * 0.8, mix.Trips / 2 * 1.2);
        Assert.Equal(FraudScenario.Realistic.Order(), stream.Where(g => g.Scenario is not null).Select(g => g.Scenario!).Distinct().Order());
    }

    [Fact]
    public void Should_label_every_transaction_of_a_compromised_card_and_none_of_a_legit_pattern()
    {
        var stream = Stream.Value;
        var end = stream[^1].Transaction.Timestamp;
        var expected = new Dictionary<string, (int Min, int Max)>
        {
            [FraudScenario.LargeAmount] = (1, 1), [FraudScenario.VelocityBurst] = (8, 8), [FraudScenario.AmountSpree] = (4, 4),
            [FraudScenario.SmallThenLarge] = (2, 2), [FraudScenario.ImpossibleTravel] = (2, 2), [FraudScenario.LowAndSlow] = (4, 6),
            [FraudScenario.UnderTheLimit] = (3, 4),
        };
        var episodes = stream.Where(g => g.Session != 0).GroupBy(g => g.Session).ToList();
        var fraud = episodes.Where(s => s.Any(g => g.InScenario)).ToList();
        Assert.True(fraud.Count > 500, $"{fraud.Count} fraud episodes");
        foreach (var episode in fraud)
        {
            var scenario = episode.First().Scenario;
            Assert.NotNull(scenario);
            Assert.All(episode, g => Assert.Equal(scenario, g.Scenario)); // whole: no step of the card's fraud unlabelled
            Assert.All(episode, g => Assert.Equal(episode.First().Transaction.Source, g.Transaction.Source));
            if (end - episode.First().Transaction.Timestamp > TimeSpan.FromMinutes(40))
            {
                Assert.InRange(episode.Count(), expected[scenario!].Min, expected[scenario!].Max);
            }
        }

        Assert.All(episodes.Except(fraud).SelectMany(s => s), g => Assert.Null(g.Scenario));
        Assert.All(stream.Where(g => g.Session == 0), g => Assert.Null(g.Scenario));
    }

    [Fact]
    public void Should_spread_low_and_slow_fraud_over_minutes_and_keep_the_under_the_limit_sum_under_2000()
    {
        var episodes = Stream.Value.Where(g => g.Scenario is FraudScenario.LowAndSlow or FraudScenario.UnderTheLimit).GroupBy(g => g.Session);
        foreach (var episode in episodes.Where(s => s.Count() >= 3))
        {
            var times = episode.Select(g => g.Transaction.Timestamp).ToArray();
            var usd = episode.Sum(g => g.Transaction.Amount * SampleRates.WorthInUsd(g.Transaction.Currency));
            if (episode.First().Scenario == FraudScenario.LowAndSlow)
            {
                Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromMinutes(2)));
            }
            else
            {
                Assert.True(times[^1] - times[0] < TimeSpan.FromSeconds(60));
                Assert.True(usd < 2000m * 1.01m, $"{usd}");
            }
        }
    }

    [Fact]
    public void Should_fly_travellers_no_faster_than_a_plane()
    {
        // Two days of traffic, so that long flights land: a slow rate and more trips than the default.
        var factory = new TransactionFactory(23, 2_000, 0.02, Traffic.Realistic, new TrafficMix { Trips = 0.02 });
        var stream = Enumerable.Range(0, 50_000).Select(i => factory.Next(Start.AddSeconds(i * 3.5))).ToList();
        var trips = stream.Where(g => g.Pattern == LegitPattern.Trip).GroupBy(g => g.Session).Where(s => s.Count() == 2).ToList();
        Assert.True(trips.Count > 100, $"{trips.Count} trips landed");
        foreach (var trip in trips)
        {
            var (home, abroad) = (trip.First().Transaction, trip.Last().Transaction);
            Assert.NotEqual(home.Country, abroad.Country);
            var speed = Countries.DistanceKm(home.Country, abroad.Country)!.Value / (abroad.Timestamp - home.Timestamp).TotalHours;
            Assert.True(speed < 800, $"{home.Country} → {abroad.Country} at {speed:F0} km/h");
        }
    }

    [Fact]
    public void Should_make_ordinary_amounts_worth_alike_in_every_currency()
    {
        var ordinary = Stream.Value.Where(g => g.Session == 0).Select(g => g.Transaction).ToList();
        decimal MeanUsd(string currency) => ordinary.Where(t => t.Currency == currency).Average(t => t.Amount * SampleRates.WorthInUsd(currency));
        var usd = MeanUsd("USD");
        foreach (var currency in new[] { "JPY", "INR", "GBP", "BRL" })
        {
            Assert.InRange(MeanUsd(currency), usd * 0.75m, usd * 1.33m);
        }

        Assert.True(ordinary.Where(t => t.Currency == "JPY").Average(t => t.Amount) > 1000m); // yen: large raw numbers
    }

    [Fact]
    public void Should_write_a_history_file_and_its_labels_line_for_line()
    {
        var dir = Directory.CreateTempSubdirectory("fraud-history-");
        var (history, labels) = (Path.Combine(dir.FullName, "h.jsonl"), Path.Combine(dir.FullName, "l.csv"));
        var stats = HistoryFile.Write(new GeneratorOptions { Count = 5000, Rate = 20, Seed = 3 }, history, labels, Start);
        var lines = File.ReadAllLines(history);
        var labelLines = File.ReadAllLines(labels);
        Assert.Equal(5000, lines.Length);
        Assert.Equal("transactionId,is_fraud", labelLines[0]);
        Assert.Equal(5001, labelLines.Length);
        var origin = new RecordOrigin("file", 0, 0, Start);
        var parsed = lines.Select(l => TransactionParser.Parse(System.Text.Encoding.UTF8.GetBytes(l), origin).Transaction!).ToList();
        Assert.Equal(parsed.Select(t => t.TransactionId), labelLines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(stats.Injected, labelLines.Skip(1).Count(l => l.EndsWith(",1", StringComparison.Ordinal)));
        Assert.Equal(Start.AddMilliseconds(4999 * 50), parsed[^1].Timestamp); // 1/rate apart
        dir.Delete(recursive: true);
    }
}

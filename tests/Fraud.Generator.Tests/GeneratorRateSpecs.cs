using System.Diagnostics;
using Fraud.Generator.Running;
using Fraud.Kafka.Embedded;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Generator.Tests;

/// <summary>Alone in its collection: it measures a rate, so nothing else in this assembly runs beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RateCollection
{
    public const string Name = "rate";
}

[Collection(RateCollection.Name)]
public sealed class GeneratorRateSpecs
{
    [Fact]
    public async Task Should_hold_2000_per_second_within_5_percent_over_10_seconds()
    {
        using var broker = EmbeddedKafkaBroker.Start();
        broker.CreateTopic("rate-test", 12);
        using var producer = KafkaProducer.Create(new KafkaSettings { BootstrapServers = broker.BootstrapServers });
        var runner = new GeneratorRunner(producer, new GeneratorOptions { Topic = "rate-test", Rate = 2000, Seed = 5, Accounts = 50_000 });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        var stats = await runner.RunAsync(stop.Token);

        Assert.True(stats.AchievedRate is >= 1900 and <= 2100, $"achieved {stats.AchievedRate:F0}/s: {stats}");
        Assert.True(stats.Seconds is > 9 and <= 10.5, $"generated for {stats.Seconds} s");
        Assert.True(clock.Elapsed.TotalSeconds < 15, "set-up and flush should be quick");
        Assert.Equal(0, stats.DeliveryErrors);
        Assert.Equal(0, stats.PaceViolations);
    }
}

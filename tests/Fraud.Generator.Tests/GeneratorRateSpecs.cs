using System.Diagnostics;
using Fraud.Generator.Running;
using Fraud.Kafka.Embedded;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Generator.Tests;

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
        var achieved = stats.Produced / clock.Elapsed.TotalSeconds;

        Assert.InRange(achieved, 1900, 2100);
        Assert.Equal(0, stats.DeliveryErrors);
        Assert.Equal(0, stats.PaceViolations);
    }
}

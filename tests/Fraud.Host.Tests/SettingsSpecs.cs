using Fraud.Host.Configuration;

namespace Fraud.Host.Tests;

public sealed class SettingsSpecs
{
    [Fact]
    public void Should_bind_defaults_from_appsettings()
    {
        var settings = FraudSettings.Bind(FraudSettings.LoadConfiguration());
        Assert.Equal("queueing.transactions", settings.Topics.Input);
        Assert.Equal("streaming.transactions.dead-letter", settings.Topics.DeadLetter);
        Assert.Equal(900m, settings.Rules.LargeAmount.Threshold);
        Assert.Equal(TimeSpan.FromHours(1), settings.Rules.ImpossibleTravel.Window);
        Assert.True(string.IsNullOrEmpty(settings.Kafka.BootstrapServers)); // the embedded broker by default
    }

    [Fact]
    public void Should_let_the_environment_override_any_setting_and_pass_librdkafka_properties_through()
    {
        var overrides = new Dictionary<string, string?>
        {
            // The same keys the environment gives as Kafka__BootstrapServers, Fraud__Rules__large-amount__Threshold ...
            ["Kafka:BootstrapServers"] = "kafka1:9092,kafka2:9092",
            ["Kafka:Common:security.protocol"] = "SASL_SSL",
            ["Kafka:Common:sasl.password"] = "s3cret",
            ["Kafka:Producer:compression.type"] = "zstd",
            ["Kafka:Consumer:max.poll.interval.ms"] = "600000",
            ["Fraud:Rules:large-amount:Threshold"] = "1000",
            ["Fraud:Rules:velocity-count:Enabled"] = "false",
            ["Fraud:Rules:AllowedLateness"] = "00:01:00",
            ["Detector:Parallelism"] = "64",
        };
        var settings = FraudSettings.Bind(FraudSettings.LoadConfiguration(overrides));

        Assert.Equal(1000m, settings.Rules.LargeAmount.Threshold);
        Assert.False(settings.Rules.VelocityCount.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Rules.AllowedLateness);
        Assert.Equal(64, settings.Detector.Parallelism);

        var producer = settings.Kafka.ToProducerConfig();
        Assert.Equal("kafka1:9092,kafka2:9092", producer.BootstrapServers);
        Assert.Equal("zstd", producer.Get("compression.type"));
        Assert.Equal("SASL_SSL", producer.Get("security.protocol"));
        Assert.Equal("s3cret", producer.Get("sasl.password"));
        Assert.Equal("true", producer.Get("enable.idempotence"), ignoreCase: true);

        var consumer = settings.Kafka.ToConsumerConfig();
        Assert.Equal("600000", consumer.Get("max.poll.interval.ms"));
        Assert.Equal("false", consumer.Get("enable.auto.commit"), ignoreCase: true);
        Assert.Equal("fraud-detector", consumer.GroupId);
    }

    [Fact]
    public void Should_read_environment_variables()
    {
        Environment.SetEnvironmentVariable("Topics__Partitions", "24");
        try
        {
            Assert.Equal(24, FraudSettings.Bind(FraudSettings.LoadConfiguration()).Topics.Partitions);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Topics__Partitions", null);
        }
    }
}

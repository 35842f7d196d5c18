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
        Assert.Equal("streaming.transactions.review", settings.Topics.Review);
        Assert.Contains("streaming.transactions.review", settings.Topics.All);
        Assert.Equal("rules/default.rules", settings.Rules.File);
        Assert.Equal(TimeSpan.FromDays(30), settings.Rules.MaxWindow);
        Assert.True(string.IsNullOrEmpty(settings.Kafka.BootstrapServers)); // the embedded broker by default
    }

    [Fact]
    public void Should_let_the_environment_override_any_setting_and_pass_librdkafka_properties_through()
    {
        var overrides = new Dictionary<string, string?>
        {
            // The same keys the environment gives as Kafka__BootstrapServers, Fraud__Rules__File ...
            ["Kafka:BootstrapServers"] = "kafka1:9092,kafka2:9092",
            ["Kafka:Common:security.protocol"] = "SASL_SSL",
            ["Kafka:Common:sasl.password"] = "s3cret",
            ["Kafka:Producer:compression.type"] = "zstd",
            ["Kafka:Consumer:max.poll.interval.ms"] = "600000",
            ["Fraud:Rules:File"] = "/etc/fraud/night.rules",
            ["Fraud:Rules:AllowedLateness"] = "00:01:00",
            ["Detector:Parallelism"] = "64",
        };
        var settings = FraudSettings.Bind(FraudSettings.LoadConfiguration(overrides));

        Assert.Equal("/etc/fraud/night.rules", settings.Rules.File);
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

    [Theory]
    [InlineData("Fraud:Rules:large-amount:Threshold", "1000")]
    [InlineData("Fraud:Rules:velocity-count:Enabled", "false")]
    public void Should_refuse_a_rule_parameter_set_the_old_way_naming_the_rule_file(string key, string value)
    {
        var e = Assert.Throws<Hosting.StartupException>(() => FraudSettings.Bind(FraudSettings.LoadConfiguration([new(key, value)])));
        Assert.StartsWith($"{key} is no longer read: rules live in a rule file now", e.Message);
        Assert.Contains("Fraud:Rules:File", e.Message);
        Assert.DoesNotContain('\n', e.Message);
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

using Confluent.Kafka;
using Fraud.Kafka.Embedded;
using Fraud.Kafka.Producing;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Tests;

/// <summary>One embedded broker for the whole collection; each test takes a fresh topic and group.</summary>
public sealed class EmbeddedBrokerFixture : IDisposable
{
    private int _counter;

    public EmbeddedBrokerFixture()
    {
        Broker = EmbeddedKafkaBroker.Start();
        Settings = new KafkaSettings
        {
            BootstrapServers = Broker.BootstrapServers,
            Consumer =
            {
                // Small timeouts keep rebalances in tests short (the mock waits session.timeout.ms - 1 s).
                ["session.timeout.ms"] = "6000",
                ["heartbeat.interval.ms"] = "500",
                ["fetch.wait.max.ms"] = "10",
            },
        };
    }

    public EmbeddedKafkaBroker Broker { get; }

    public KafkaSettings Settings { get; }

    public string NewTopic(int partitions = 4)
    {
        var topic = $"test-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}";
        Broker.CreateTopic(topic, partitions);
        return topic;
    }

    public string NewGroup() => $"group-{Guid.NewGuid():N}";

    /// <summary>Writes <paramref name="count"/> records whose values are "0".."count-1", keyed round-robin.</summary>
    /// <summary>Writes the values <paramref name="first"/> … first + count − 1, keyed over 16 keys.</summary>
    public async Task ProduceAsync(string topic, int count, int first = 0)
    {
        using var producer = KafkaProducer.Create(Settings);
        for (var i = first; i < first + count; i++)
        {
            producer.Produce(topic, new Message<byte[]?, byte[]?>
            {
                Key = System.Text.Encoding.UTF8.GetBytes($"k{i % 16}"),
                Value = System.Text.Encoding.UTF8.GetBytes(i.ToString()),
            });
        }

        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => Broker.Dispose();
}

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<EmbeddedBrokerFixture>
{
    public const string Name = "kafka";
}

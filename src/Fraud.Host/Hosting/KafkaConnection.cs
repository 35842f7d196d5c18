using Fraud.Host.Configuration;
using Fraud.Kafka.Admin;
using Fraud.Kafka.Embedded;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Hosting;

/// <summary>
/// The Kafka this process talks to: the configured cluster, or, when <c>Kafka:BootstrapServers</c> is empty, the
/// embedded broker started here (for trying the product and for tests; production uses a real cluster).
/// Either way the topics exist once this is open: transactions, verdicts, and the compacted rules and lists.
/// </summary>
public sealed class KafkaConnection : IDisposable
{
    private KafkaConnection(KafkaSettings settings, EmbeddedKafkaBroker? broker)
    {
        Settings = settings;
        Broker = broker;
    }

    public KafkaSettings Settings { get; }

    public EmbeddedKafkaBroker? Broker { get; }

    public bool IsEmbedded => Broker is not null;

    /// <summary>Opens the connection; throws <see cref="StartupException"/> with one clear line when it cannot.</summary>
    public static async Task<KafkaConnection> OpenAsync(FraudSettings settings, int? embeddedPort = null)
    {
        if (string.IsNullOrWhiteSpace(settings.Kafka.BootstrapServers))
        {
            var broker = StartEmbedded(settings.Topics, embeddedPort);
            var embedded = settings.Kafka.WithBootstrapServers(broker.BootstrapServers);
            // The mock holds every fetch for the whole fetch.wait.max.ms (500 ms by default) even when records are
            // waiting, where a real broker answers as soon as fetch.min.bytes are there: keep the wait short here.
            embedded.Consumer.TryAdd("fetch.wait.max.ms", "10");
            return new KafkaConnection(embedded, broker);
        }

        if (KafkaProbe.Check(settings.Kafka, TimeSpan.FromSeconds(10)) is { } problem)
        {
            throw new StartupException(problem);
        }

        var compact = new Dictionary<string, string> { ["cleanup.policy"] = "compact" };
        var specs = settings.Topics.All.Select(t => new TopicSpec(t, settings.Topics.PartitionsOf(t), settings.Topics.ReplicationFactor))
            .Concat(settings.Topics.Compacted.Select(t => new TopicSpec(t, 1, settings.Topics.ReplicationFactor, compact)));
        foreach (var warning in await TopicAdmin.EnsureTopicsAsync(settings.Kafka, specs, TimeSpan.FromSeconds(30)))
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        return new KafkaConnection(settings.Kafka, null);
    }

    /// <summary>The embedded broker with the application's topics made.</summary>
    public static EmbeddedKafkaBroker StartEmbedded(TopicSettings topics, int? port, string host = "127.0.0.1")
    {
        var broker = EmbeddedKafkaBroker.Start(port, host);
        foreach (var topic in topics.All)
        {
            broker.CreateTopic(topic, topics.PartitionsOf(topic));
        }

        foreach (var topic in topics.Compacted)
        {
            broker.CreateTopic(topic, 1); // the mock does not compact: every change stays, which reads the same
        }

        return broker;
    }

    public void Dispose() => Broker?.Dispose();
}

/// <summary>A start-up problem the user can fix; printed as one line, never as a stack trace.</summary>
public class StartupException(string message, Exception? cause = null) : Exception(message, cause);

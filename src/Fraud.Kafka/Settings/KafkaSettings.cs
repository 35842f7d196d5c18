using Confluent.Kafka;

namespace Fraud.Kafka.Settings;

/// <summary>
/// Connection settings bound from the <c>Kafka</c> configuration section. The <see cref="Consumer"/>,
/// <see cref="Producer"/> and <see cref="Admin"/> dictionaries hold librdkafka property names unchanged
/// (<c>security.protocol</c>, <c>sasl.password</c>, <c>compression.type</c> ...), so anything librdkafka can
/// do can be configured without a code change.
/// </summary>
public sealed class KafkaSettings
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated brokers. Empty means "start the embedded broker" in the host.</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>Consumer group of the detector nodes.</summary>
    public string GroupId { get; set; } = "fraud-detector";

    /// <summary>librdkafka properties for every client (security, client.id ...).</summary>
    public Dictionary<string, string> Common { get; set; } = new();

    /// <summary>librdkafka consumer properties, applied over our defaults.</summary>
    public Dictionary<string, string> Consumer { get; set; } = new();

    /// <summary>librdkafka producer properties, applied over our defaults.</summary>
    public Dictionary<string, string> Producer { get; set; } = new();

    /// <summary>librdkafka admin client properties.</summary>
    public Dictionary<string, string> Admin { get; set; } = new();

    /// <summary>Consumer configuration: our safe defaults, then <see cref="Common"/>, then <see cref="Consumer"/>.</summary>
    public ConsumerConfig ToConsumerConfig(string? groupId = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = RequireBootstrap(),
            GroupId = groupId ?? GroupId,
            // Offsets are committed by our Committer, only after the outputs are acknowledged.
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // A new group must score what was written before the first node started.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // The embedded broker supports only the classic protocol; real clusters support both.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.RoundRobin,
        };
        Apply(config, Common);
        Apply(config, Consumer);
        return config;
    }

    /// <summary>
    /// Producer configuration: idempotent, acks=all, linger 5 ms, delivery reports without the message's own fields
    /// (<c>dotnet.producer.delivery.report.fields</c>), then <see cref="Common"/> and <see cref="Producer"/>.
    /// </summary>
    public ProducerConfig ToProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = RequireBootstrap(),
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            // Reports carry the record's position, status and timestamp, not its key, value and headers: the client
            // would otherwise keep each message's managed copy alive until its report, for nothing.
            DeliveryReportFields = "status,timestamp",
        };
        Apply(config, Common);
        Apply(config, Producer);
        return config;
    }

    public AdminClientConfig ToAdminConfig()
    {
        var config = new AdminClientConfig { BootstrapServers = RequireBootstrap() };
        Apply(config, Common);
        Apply(config, Admin);
        return config;
    }

    /// <summary>A copy pointing at other brokers (the embedded broker's address once it is known).</summary>
    public KafkaSettings WithBootstrapServers(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = GroupId,
        Common = new(Common),
        Consumer = new(Consumer),
        Producer = new(Producer),
        Admin = new(Admin),
    };

    private string RequireBootstrap() =>
        string.IsNullOrWhiteSpace(BootstrapServers)
            ? throw new InvalidOperationException("Kafka:BootstrapServers is not set.")
            : BootstrapServers;

    private static void Apply(ClientConfig config, Dictionary<string, string> properties)
    {
        foreach (var (key, value) in properties)
        {
            config.Set(key, value);
        }
    }
}

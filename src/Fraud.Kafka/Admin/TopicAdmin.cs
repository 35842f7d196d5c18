using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Admin;

/// <summary>A topic the application needs, with the configs it is created with (e.g. <c>cleanup.policy=compact</c>).</summary>
public sealed record TopicSpec(string Name, int Partitions, short ReplicationFactor = 1, IReadOnlyDictionary<string, string>? Configs = null);

/// <summary>Creates missing topics on a real broker. (The embedded broker creates its own: its admin API cannot.)</summary>
public static class TopicAdmin
{
    /// <summary>
    /// Creates each topic that does not exist yet; an existing topic is left as it is (a warning is returned when it
    /// has fewer partitions than asked, since shrinking or re-partitioning is an operator's decision).
    /// </summary>
    public static async Task<IReadOnlyList<string>> EnsureTopicsAsync(KafkaSettings settings, IEnumerable<TopicSpec> topics, TimeSpan timeout)
    {
        Librdkafka.EnsureLoaded();
        using var admin = new AdminClientBuilder(settings.ToAdminConfig()).Build();
        var metadata = admin.GetMetadata(timeout);
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, t => t.Partitions.Count);
        var warnings = new List<string>();
        var missing = new List<TopicSpecification>();
        foreach (var topic in topics)
        {
            if (existing.TryGetValue(topic.Name, out var partitions))
            {
                if (partitions < topic.Partitions)
                {
                    warnings.Add($"topic {topic.Name} has {partitions} partitions, fewer than the {topic.Partitions} configured");
                }
            }
            else
            {
                missing.Add(new TopicSpecification
                {
                    Name = topic.Name, NumPartitions = topic.Partitions, ReplicationFactor = topic.ReplicationFactor,
                    Configs = topic.Configs?.ToDictionary(c => c.Key, c => c.Value),
                });
            }
        }

        if (missing.Count == 0)
        {
            return warnings;
        }

        try
        {
            await admin.CreateTopicsAsync(missing, new CreateTopicsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Another node created them first: that is what we wanted.
        }

        return warnings;
    }
}

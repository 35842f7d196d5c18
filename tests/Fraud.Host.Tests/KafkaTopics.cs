using Confluent.Kafka;
using Fraud.Kafka.Native;

namespace Fraud.Host.Tests;

/// <summary>An independent reader of whole topics, for checking what the product wrote.</summary>
internal static class KafkaTopics
{
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string bootstrap, string topic, TimeSpan patience)
    {
        Librdkafka.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "spec-reader-" + Guid.NewGuid().ToString("N"),
            EnablePartitionEof = true,
            FetchWaitMaxMs = 10,
        }).SetLogHandler((_, _) => { }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)).ToList();
        consumer.Assign(partitions);
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        var ended = new HashSet<int>();
        var deadline = DateTime.UtcNow + patience;
        while (ended.Count < partitions.Count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                ended.Add(result.Partition.Value);
            }
            else
            {
                records.Add(result);
            }
        }

        Assert.Equal(partitions.Count, ended.Count);
        return records;
    }

    /// <summary>
    /// Fails when the broker has already dropped the oldest records of a partition (the embedded broker keeps about
    /// 5 MiB per partition): a check that reads such a topic would count the dropped records as never written.
    /// </summary>
    public static void AssertNothingEvicted(string bootstrap, string topic)
    {
        Librdkafka.EnsureLoaded();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "spec-watermarks" })
            .SetLogHandler((_, _) => { }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        foreach (var partition in admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions)
        {
            var low = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition.PartitionId), TimeSpan.FromSeconds(10)).Low.Value;
            Assert.True(low <= 0, $"the broker dropped the first {low} records of {topic}-{partition.PartitionId} (retention): the spec wrote too much per partition to check it");
        }
    }
}

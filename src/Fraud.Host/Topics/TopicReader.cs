using System.Text;
using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Topics;

/// <summary>
/// <c>fraud topic read</c>, the seed's read_whole_topic.sh: one record value per line, then a count. From the beginning
/// it reads up to the current end and stops; otherwise it follows new records until Ctrl+C. It joins no group and
/// commits nothing, so it never disturbs the detectors.
/// </summary>
public static class TopicReader
{
    public static int Read(KafkaSettings kafka, string topic, bool fromBeginning, TextWriter output, CancellationToken cancel)
    {
        var count = 0L;
        var status = Scan(kafka, topic, fromBeginning, result =>
        {
            output.WriteLine(result.Message.Value is null ? "null" : Encoding.UTF8.GetString(result.Message.Value));
            count++;
        }, cancel);
        if (status == 0)
        {
            output.WriteLine($"count: {count}");
        }

        return status;
    }

    /// <summary>
    /// Hands every record of <paramref name="topic"/> to <paramref name="onRecord"/>, each partition in offset order:
    /// from the beginning up to the end (then returns), or from the end on until cancelled. 0, or 2 when the topic
    /// does not exist (said in one line).
    /// </summary>
    public static int Scan(KafkaSettings kafka, string topic, bool fromBeginning, Action<ConsumeResult<byte[]?, byte[]?>> onRecord, CancellationToken cancel)
    {
        Librdkafka.EnsureLoaded();
        var config = kafka.ToConsumerConfig($"fraud-topic-reader-{Guid.NewGuid():N}");
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
        using var admin = new AdminClientBuilder(kafka.ToAdminConfig()).SetLogHandler((_, _) => { }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
        if (metadata.Error.IsError || metadata.Partitions.Count == 0)
        {
            Console.Error.WriteLine($"error: topic '{topic}' not found ({metadata.Error.Reason})");
            return 2;
        }

        var start = fromBeginning ? Offset.Beginning : Offset.End;
        var partitions = metadata.Partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, start)).ToList();
        consumer.Assign(partitions);
        var atEnd = new HashSet<int>();
        while (!cancel.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
                if (fromBeginning && atEnd.Count == partitions.Count)
                {
                    break;
                }

                continue;
            }

            atEnd.Remove(result.Partition.Value);
            onRecord(result);
        }

        return 0;
    }
}

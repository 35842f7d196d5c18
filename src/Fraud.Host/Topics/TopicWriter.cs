using System.Text;
using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Topics;

/// <summary>Writes keyed records to the compacted topics (rules, lists, decisions) and waits until the brokers have them all.</summary>
public static class TopicWriter
{
    /// <summary>Writes each (topic, key, value) in order (a null value deletes the key); throws with one line when one is refused.</summary>
    public static void Write(KafkaSettings kafka, IReadOnlyCollection<(string Topic, string Key, byte[]? Value)> records)
    {
        Librdkafka.EnsureLoaded();
        using var producer = new ProducerBuilder<byte[], byte[]?>(kafka.ToProducerConfig()).SetLogHandler((_, _) => { }).Build();
        var failures = new List<string>();
        foreach (var (topic, key, value) in records)
        {
            producer.Produce(topic, new Message<byte[], byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    lock (failures) failures.Add($"{topic} {key}: {report.Error.Reason}");
                }
            });
        }

        if (producer.Flush(TimeSpan.FromSeconds(30)) > 0)
        {
            throw new Hosting.StartupException($"the brokers did not take the writes to {string.Join(" and ", records.Select(r => r.Topic).Distinct())} within 30 s");
        }

        if (failures.Count > 0)
        {
            throw new Hosting.StartupException($"a change was refused: {failures[0]}");
        }
    }
}

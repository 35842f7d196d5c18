using System.Text;
using Confluent.Kafka;
using Fraud.Actors.Rules.Catalog;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Rules;

/// <summary>
/// Reads the rule and list topics whole, every partition from the beginning, in no consumer group and committing
/// nothing, and folds each record into a <see cref="RuleCatalog"/>. Each topic's position (next offsets added over its
/// partitions) is its part of the rule-set version. Used from one thread at a time.
/// </summary>
public sealed class CatalogConsumer : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly string _rulesTopic;
    private readonly Dictionary<TopicPartition, long> _next = new();
    private readonly List<TopicPartition> _partitions;

    // The rules after each record of the rule topic: the rule sets a node may fall back to when the latest does not compile.
    private readonly List<RuleCatalog> _ruleHistory = [];
    private const int MaxFallbacks = 100;

    public CatalogConsumer(KafkaSettings kafka, string rulesTopic, string listsTopic)
    {
        Librdkafka.EnsureLoaded();
        _rulesTopic = rulesTopic;
        var config = kafka.ToConsumerConfig($"fraud-catalog-{Guid.NewGuid():N}"); // librdkafka wants a group id; none is joined
        config.EnablePartitionEof = false;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
        using var admin = new AdminClientBuilder(kafka.ToAdminConfig()).SetLogHandler((_, _) => { }).Build();
        _partitions = [];
        foreach (var topic in new[] { rulesTopic, listsTopic })
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
            if (metadata.Error.IsError || metadata.Partitions.Count == 0)
            {
                _consumer.Dispose();
                throw new Hosting.StartupException($"the topic {topic} cannot be read ({metadata.Error.Reason}); it holds the rules every node runs");
            }

            _partitions.AddRange(metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)));
        }

        _consumer.Assign(_partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
    }

    public RuleCatalog Catalog { get; private set; } = RuleCatalog.Empty;

    /// <summary>The catalog's rules as of each earlier record of the rule topic, newest first, with today's lists.</summary>
    public IEnumerable<RuleCatalog> EarlierRuleSets() =>
        Enumerable.Range(0, Math.Max(0, _ruleHistory.Count - 1)).Select(k => _ruleHistory[_ruleHistory.Count - 2 - k].WithListsOf(Catalog));

    /// <summary>Reads up to the topics' ends as they are now; false when <paramref name="timeout"/> passed first.</summary>
    public bool ReadToEnd(TimeSpan timeout, CancellationToken cancel = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var ends = _partitions.ToDictionary(p => p, p => _consumer.QueryWatermarkOffsets(p, timeout).High.Value);
        while (ends.Any(e => _next.GetValueOrDefault(e.Key) < e.Value))
        {
            if (DateTime.UtcNow > deadline || cancel.IsCancellationRequested)
            {
                return false;
            }

            Poll(TimeSpan.FromMilliseconds(100));
        }

        return true;
    }

    /// <summary>Folds what arrives within <paramref name="wait"/> (and what is already there); whether anything changed.</summary>
    public bool Poll(TimeSpan wait)
    {
        var changed = false;
        var result = _consumer.Consume(wait);
        while (result is not null)
        {
            if (!result.IsPartitionEOF)
            {
                Fold(result);
                changed = true;
            }

            result = _consumer.Consume(TimeSpan.Zero);
        }

        return changed;
    }

    private void Fold(ConsumeResult<byte[]?, byte[]?> record)
    {
        _next[record.TopicPartition] = record.Offset.Value + 1;
        var position = _next.Where(n => n.Key.Topic == record.Topic).Sum(n => n.Value);
        var key = record.Message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
        if (record.Topic == _rulesTopic)
        {
            Catalog = Catalog.WithRule(key, record.Message.Value, position);
            _ruleHistory.Add(Catalog);
            if (_ruleHistory.Count > MaxFallbacks)
            {
                _ruleHistory.RemoveAt(0);
            }
        }
        else
        {
            Catalog = Catalog.WithList(key, record.Message.Value, position);
        }
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}

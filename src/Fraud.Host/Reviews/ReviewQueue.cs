using System.Text;
using Confluent.Kafka;
using Fraud.Host.Configuration;
using Fraud.Host.Metrics;
using Fraud.Host.Topics;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;
using Microsoft.Extensions.Logging;

namespace Fraud.Host.Reviews;

/// <summary>
/// The review queue of a node: it follows the review topic (from <see cref="ReviewSettings.Horizon"/> back) and the
/// decision topic (whole) on a thread of its own, in no consumer group, into a <see cref="ReviewBook"/>, and writes an
/// analyst's decision to the decision topic. Every node keeps the same queue from the same topics, so any node's
/// dashboard serves it and a decision made on one closes the review on all.
/// </summary>
public sealed class ReviewQueue : IAsyncDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly KafkaSettings _kafka;
    private readonly TopicSettings _topics;
    private readonly ILogger _log;
    private readonly HashSet<TopicPartition> _unread;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly DateTime _since;
    private long _unreadable;

    private ReviewQueue(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions, KafkaSettings kafka, FraudSettings settings, ILogger log)
    {
        (_consumer, _kafka, _topics, _log) = (consumer, kafka, settings.Topics, log);
        Book = new ReviewBook(settings.Reviews.MaxOpen);
        _unread = [.. partitions];
        _since = (DateTimeOffset.UtcNow - settings.Reviews.Horizon).UtcDateTime;
        _thread = new Thread(Follow) { IsBackground = true, Name = "fraud-reviews" };
    }

    public ReviewBook Book { get; }

    /// <summary>Whether every partition was read to its end once: until then the queue may still miss reviews or decisions.</summary>
    public bool CaughtUp
    {
        get
        {
            lock (_unread)
            {
                return _unread.Count == 0;
            }
        }
    }

    /// <summary>Records of the review or decision topic that were neither a review nor a decision (logged, and skipped).</summary>
    public long Unreadable => Interlocked.Read(ref _unreadable);

    public static ReviewQueue Start(KafkaSettings kafka, FraudSettings settings, ILogger log)
    {
        Librdkafka.EnsureLoaded();
        var config = kafka.ToConsumerConfig($"fraud-reviews-{Guid.NewGuid():N}"); // librdkafka wants a group id; none is joined
        config.EnablePartitionEof = true;
        // A person reads the queue: half a second late is nothing, and a fetch loop at the detector's pace over every
        // review partition took the broker's time from the detector's own fetches (end-to-end p99 +30 ms in the bench).
        config.FetchWaitMaxMs = 500;
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
        try
        {
            using var admin = new AdminClientBuilder(kafka.ToAdminConfig()).SetLogHandler((_, _) => { }).Build();
            var reviews = Partitions(admin, settings.Topics.Review);
            var decisions = Partitions(admin, settings.Topics.Decisions);
            var since = DateTimeOffset.UtcNow - settings.Reviews.Horizon;
            consumer.Assign([.. From(consumer, reviews, since), .. decisions.Select(p => new TopicPartitionOffset(p, Offset.Beginning))]);
            var queue = new ReviewQueue(consumer, [.. reviews, .. decisions], kafka, settings, log);
            queue._thread.Start();
            return queue;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    private static List<TopicPartition> Partitions(IAdminClient admin, string topic)
    {
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
        if (metadata.Error.IsError || metadata.Partitions.Count == 0)
        {
            throw new Hosting.StartupException($"the topic {topic} cannot be read ({metadata.Error.Reason}); the review queue is made from it");
        }

        return metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
    }

    // Where each review partition holds its first record since the horizon. A broker that answers "none since" for a
    // partition whose newest record is within the horizon cannot look up times (librdkafka's mock): read that one from
    // its beginning, the records older than the horizon skipped as they are read.
    private static IEnumerable<TopicPartitionOffset> From(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions, DateTimeOffset since)
    {
        List<TopicPartitionOffset> found;
        try
        {
            found = consumer.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(p, new Timestamp(since))), TimeSpan.FromSeconds(10));
        }
        catch (KafkaException)
        {
            return partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning));
        }

        return found.Select(o => o.Offset == Offset.End && NewestSince(consumer, o.TopicPartition, since) ? new TopicPartitionOffset(o.TopicPartition, Offset.Beginning)
            : o.Offset.IsSpecial && o.Offset != Offset.End ? new TopicPartitionOffset(o.TopicPartition, Offset.Beginning)
            : o).ToList();
    }

    private static bool NewestSince(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, DateTimeOffset since)
    {
        var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
        if (marks.High <= marks.Low)
        {
            return false;
        }

        consumer.Assign(new TopicPartitionOffset(partition, marks.High - 1));
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } newest)
                {
                    return newest.Message.Timestamp.UtcDateTime >= since;
                }
            }

            return true; // unknown: reading too much beats missing a review
        }
        finally
        {
            consumer.Unassign();
        }
    }

    /// <summary>
    /// Writes the decision to the decision topic (waiting for the brokers) and closes the review here at once; the other
    /// nodes close it as they read the topic. Throws <see cref="Hosting.StartupException"/> when Kafka did not take it.
    /// </summary>
    public void Record(Decision decision)
    {
        TopicWriter.Write(_kafka, [(_topics.Decisions, decision.TransactionId, decision.ToJson())]);
        Book.Decide(decision);
    }

    private void Follow()
    {
        var cancel = _stop.Token;
        var nextGauges = DateTime.UtcNow;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    Fold(result);
                }
            }
            catch (KafkaException e)
            {
                // The broker is away: the consumer reconnects by itself; the queue shows what it has.
                _log.LogWarning("reading the review topics: {Reason}", e.Error.Reason);
                cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }

            if (DateTime.UtcNow >= nextGauges)
            {
                nextGauges = DateTime.UtcNow.AddSeconds(1);
                UpdateGauges();
            }
        }
    }

    private void Fold(ConsumeResult<byte[]?, byte[]?> result)
    {
        if (result.IsPartitionEOF)
        {
            lock (_unread)
            {
                _unread.Remove(result.TopicPartition);
            }

            return;
        }

        var message = result.Message;
        if (result.Topic == _topics.Decisions)
        {
            var key = message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
            if (message.Value is null)
            {
                Book.Withdraw(key);
            }
            else if (Decision.Parse(message.Value) is { } decision && decision.TransactionId == key)
            {
                Book.Decide(decision);
            }
            else
            {
                Skip(result, "is not a decision");
            }

            return;
        }

        if (message.Timestamp.UtcDateTime < _since)
        {
            return; // older than the horizon: read only because the broker could not say where the horizon begins
        }

        var headers = message.Headers?.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.GetValueBytes())).ToList() ?? [];
        if (ReviewItem.Parse(message.Value, headers, message.Timestamp.UtcDateTime) is { } item)
        {
            Book.Queue(item);
        }
        else
        {
            Skip(result, "is not a scored transaction");
        }
    }

    private void Skip(ConsumeResult<byte[]?, byte[]?> result, string why)
    {
        Interlocked.Increment(ref _unreadable);
        _log.LogWarning("{Topic}-{Partition}-{Offset} {Why}: skipped", result.Topic, result.Partition.Value, result.Offset.Value, why);
    }

    private void UpdateGauges()
    {
        var summary = Book.Summary(DateTimeOffset.UtcNow);
        FraudMetrics.ReviewsOpen.Set(summary.Open);
        FraudMetrics.ReviewsUnlisted.Set(summary.Unlisted);
        FraudMetrics.ReviewOldestAge.Set(summary.OldestAgeSeconds);
        foreach (var rule in summary.Rules)
        {
            FraudMetrics.ReviewDecisions.WithLabels(rule.Rule, Decision.Fraud).Set(rule.Fraud);
            FraudMetrics.ReviewDecisions.WithLabels(rule.Rule, Decision.Legit).Set(rule.Legit);
            if (rule.Precision is { } precision)
            {
                FraudMetrics.RuleLivePrecision.WithLabels(rule.Rule).Set(precision);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.Run(_thread.Join);
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }
}

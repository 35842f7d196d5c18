using System.Text;
using Fraud.Actors.Backtest;
using Fraud.Actors.Detection;
using Fraud.Actors.Transactions;
using Fraud.Host.Configuration;
using Fraud.Host.Detection;
using Fraud.Host.Hosting;
using Fraud.Host.Topics;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Backtest;

/// <summary>
/// A backtest's history and labels: input records from a JSON Lines file or a topic, parsed as the detector parses them
/// (a record it would dead-letter is counted by reason and left out), each labelled from a CSV file or, on a topic, from
/// the generator's ground-truth header.
/// </summary>
public static class BacktestInputs
{
    /// <summary>The history read, and how many records of it were dead letters, by reason.</summary>
    public sealed record History(List<BacktestRecord> Records, Dictionary<string, long> DeadLetters, string Labels);

    /// <summary>One input record a line: <c>{"transactionId", "source", …}</c>, as producers write to the input topic.</summary>
    public static History FromFile(string path, FraudSettings settings, InputFields? fields, IReadOnlyDictionary<string, bool>? labels)
    {
        if (!File.Exists(path))
        {
            throw new StartupException($"no input file {path}");
        }

        // A line carries no arrival time: the time it is read stands for it, so a transaction's own timestamp counts, and
        // a history may be as old as it is (the detector refuses what arrives more than Limits:MaxEventAge after its time).
        var arrival = DateTimeOffset.UtcNow;
        var limits = settings.Limits with { MaxEventAge = TimeSpan.FromDays(366 * 100) };
        var history = new History([], new Dictionary<string, long>(StringComparer.Ordinal), labels is null ? "none" : "file");
        var line = 0L;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var origin = new RecordOrigin(Path.GetFileName(path), 0, line, arrival);
            Add(history, new InboundRecord<int>(null, Encoding.UTF8.GetBytes(text), [], origin, 0), limits, fields, labels, null, fromHeader: false);
        }

        return history;
    }

    /// <summary>A topic from its beginning (or only its records of the last <paramref name="since"/>), every partition, in no group.</summary>
    public static History FromTopic(KafkaSettings kafka, string topic, TimeSpan? since, FraudSettings settings, InputFields? fields,
        IReadOnlyDictionary<string, bool>? labels, CancellationToken cancel)
    {
        var history = new History([], new Dictionary<string, long>(StringComparer.Ordinal), labels is null ? "header" : "file");
        var from = since is { } span ? DateTimeOffset.UtcNow - span : DateTimeOffset.MinValue;
        var headerLabels = 0L;
        var status = TopicReader.Scan(kafka, topic, fromBeginning: true, result =>
        {
            var origin = new RecordOrigin(result.Topic, result.Partition.Value, result.Offset.Value, KafkaDetector.LogTime(result.Message.Timestamp));
            if (origin.Timestamp < from)
            {
                return;
            }

            var headers = result.Message.Headers?.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.GetValueBytes())).ToList() ?? [];
            var scenario = DetectorStats.Label(headers);
            if (scenario is not null) headerLabels++;
            Add(history, new InboundRecord<int>(result.Message.Key, result.Message.Value, headers, origin, 0), settings.Limits, fields, labels, scenario, fromHeader: true);
        }, cancel);
        if (status != 0)
        {
            throw new StartupException($"cannot read topic {topic}");
        }

        if (labels is null && headerLabels == 0)
        {
            // No record carries the generator's header: nothing says which are fraud, so none is labelled.
            for (var k = 0; k < history.Records.Count; k++)
            {
                history.Records[k] = history.Records[k] with { IsFraud = null };
            }

            return history with { Labels = "none" };
        }

        return history;
    }

    // Labelled from the file when there is one; else, on a topic, fraud when the generator's header names a scenario.
    private static void Add(History history, InboundRecord<int> record, RecordLimits limits, InputFields? fields, IReadOnlyDictionary<string, bool>? labels,
        string? scenario, bool fromHeader)
    {
        var parsed = DetectorGraph.ParseOne(record, limits, record.Origin.Timestamp, fields);
        if (!parsed.IsValid)
        {
            history.DeadLetters[parsed.Reason!] = history.DeadLetters.GetValueOrDefault(parsed.Reason!) + 1;
            return;
        }

        var tx = parsed.Transaction!;
        bool? label = labels is not null ? labels.TryGetValue(tx.TransactionId, out var fraud) ? fraud : null : fromHeader ? scenario is not null : null;
        history.Records.Add(new BacktestRecord(tx, label));
    }

    /// <summary>
    /// <c>transactionId,is_fraud</c> a line (a header line may come first); <c>is_fraud</c> is 1/0, true/false or
    /// yes/no. A line that is none of these stops the backtest with its number.
    /// </summary>
    public static Dictionary<string, bool> Labels(string path)
    {
        if (!File.Exists(path))
        {
            throw new StartupException($"no labels file {path}");
        }

        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var comma = text.LastIndexOf(',');
            var (id, value) = comma < 0 ? (text, "") : (text[..comma].Trim().Trim('"'), text[(comma + 1)..].Trim().Trim('"').ToLowerInvariant());
            bool? fraud = value switch { "1" or "true" or "yes" => true, "0" or "false" or "no" => false, _ => null };
            if (fraud is null)
            {
                if (line == 1)
                {
                    continue; // the header
                }

                throw new StartupException($"{path}:{line}: a label line is transactionId,is_fraud (1 or 0), not '{text}'");
            }

            labels[id] = fraud.Value;
        }

        return labels;
    }

    /// <summary>
    /// The analysts' decisions as labels: fraud or legit per transaction, the latest record of each key (the topic is
    /// compacted; a deleted decision labels nothing).
    /// </summary>
    public static Dictionary<string, bool> Decisions(KafkaSettings kafka, string topic, CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            throw new StartupException($"--labels decisions reads the analysts' decisions from {topic}: give --bootstrap HOST:PORT (or Kafka:BootstrapServers)");
        }

        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        var status = TopicReader.Scan(kafka, topic, fromBeginning: true, result =>
        {
            var key = result.Message.Key is { } k ? Encoding.UTF8.GetString(k) : "";
            if (result.Message.Value is null)
            {
                labels.Remove(key);
            }
            else if (Reviews.Decision.Parse(result.Message.Value) is { } decision && decision.TransactionId == key)
            {
                labels[key] = decision.IsFraud;
            }
        }, cancel);
        return status == 0 ? labels : throw new StartupException($"cannot read the decisions topic {topic}");
    }

    /// <summary>"24h", "7d", "90m" as a span.</summary>
    public static TimeSpan ParseSince(string text) =>
        SpanText.Parse(text, "mhd") ?? throw new StartupException($"--since is a span back from now (90m, 24h, 7d), not '{text}'");
}

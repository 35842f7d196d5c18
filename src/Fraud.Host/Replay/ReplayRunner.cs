using System.Text.Json;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Host.Configuration;
using Fraud.Host.Topics;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Replay;

/// <summary>
/// <c>fraud replay --from-beginning</c>: scores a topic's whole history in this one process, with no cluster, no
/// failures and no checkpoints, and prints one verdict per line. The same pure <see cref="Scoring.Score"/> the
/// detector's partition actors run, so its verdicts are the reference a cluster's output is compared with, and a
/// way to backtest changed rules (set them in the environment) on past traffic. Writes nothing to Kafka.
/// </summary>
public static class ReplayRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static int Run(FraudSettings settings, KafkaSettings kafka, string topic, TextWriter output, CancellationToken cancel)
    {
        var accounts = new Dictionary<string, AccountState>();
        var arena = new AccountArena(); // one owner, one arena
        long legit = 0, fraud = 0, dead = 0;
        var node = settings.NodeName;
        var status = TopicReader.Scan(kafka, topic, fromBeginning: true, record =>
        {
            var origin = new RecordOrigin(record.Topic, record.Partition.Value, record.Offset.Value, record.Message.Timestamp.UtcDateTime);
            var parsed = TransactionParser.Parse(record.Message.Value ?? [], origin);
            if (!parsed.IsValid)
            {
                dead++;
                output.WriteLine(JsonSerializer.Serialize(new { origin = origin.ToString(), outcome = "dead-letter", reason = parsed.Reason }, Json));
                return;
            }

            var tx = parsed.Transaction!;
            if (!accounts.TryGetValue(tx.Source, out var state))
            {
                accounts[tx.Source] = state = new AccountState(arena);
            }

            // Event time drives every rule; "now" only stamps detectedAt, which comparisons leave out.
            var verdict = Scoring.Score(state, tx, settings.Rules, tx.Timestamp, node);
            _ = verdict.IsFraud ? fraud++ : legit++;
            output.WriteLine(JsonSerializer.Serialize(new
            {
                transactionId = tx.TransactionId,
                account = tx.Source,
                origin = origin.ToString(),
                outcome = verdict.IsFraud ? "fraud" : "legit",
                score = verdict.Score,
                rules = verdict.Rules.Select(r => new { id = r.Id, observed = r.Observed, limit = r.Limit, window = r.Window }),
                late = verdict.Late,
            }, Json));
        }, cancel);
        if (status == 0)
        {
            output.WriteLine($"replayed: {JsonSerializer.Serialize(new { topic, legit, fraud, deadLetter = dead, accounts = accounts.Count }, Json)}");
        }

        return status;
    }
}

using Fraud.Actors.State;
using System.Text.Json;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Host.Configuration;
using Fraud.Host.Detection;
using Fraud.Host.Topics;
using Fraud.Kafka.Settings;

namespace Fraud.Host.Replay;

/// <summary>
/// <c>fraud replay --from-beginning</c>: scores a topic's whole history in this one process, with no cluster, no
/// failures and no checkpoints, and prints one verdict per line. The same pure <see cref="Scoring.Score"/> the
/// detector's partition actors run, so its verdicts are the reference a cluster's output is compared with, and a
/// way to backtest another rule file (<c>--rules</c>) on past traffic. Writes nothing to Kafka.
/// </summary>
public static class ReplayRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static int Run(FraudSettings settings, KafkaSettings kafka, string topic, TextWriter output, CancellationToken cancel)
    {
        var accounts = new Dictionary<string, AccountState>();
        var arena = new AccountArena(); // one owner, one arena
        long legit = 0, fraud = 0, review = 0, dead = 0;
        var node = settings.NodeName;
        var status = TopicReader.Scan(kafka, topic, fromBeginning: true, record =>
        {
            var origin = new RecordOrigin(record.Topic, record.Partition.Value, record.Offset.Value, KafkaDetector.LogTime(record.Message.Timestamp));
            var input = new InboundRecord<int>(record.Message.Key, record.Message.Value, [], origin, 0);
            var parsed = DetectorGraph.ParseOne(input, settings.Limits, DateTimeOffset.UtcNow, settings.Rules.Pack?.Fields);
            if (!parsed.IsValid)
            {
                dead++;
                WriteDeadLetter(output, origin, parsed.Reason!);
                return;
            }

            var tx = parsed.Transaction!;
            if (!accounts.TryGetValue(tx.Source, out var state))
            {
                accounts[tx.Source] = state = new AccountState(arena);
            }

            // As the detector does: a record whose scoring or output fails is a dead letter, and the replay goes on.
            Verdict verdict;
            try
            {
                // Event time drives every rule; "now" only stamps detectedAt, which comparisons leave out.
                verdict = Scoring.Score(state, tx, settings.Rules, tx.Timestamp, node);
            }
            catch (Exception)
            {
                dead++;
                WriteDeadLetter(output, origin, RejectReasons.InternalError);
                return;
            }

            var outcome = DetectorGraph.OutcomeOf(verdict);
            var written = OutputRecords.ToOutbound(new ScoredRecord<int>(input, outcome, tx, verdict, Splice: parsed.Splice), settings.Limits);
            if (written.Outcome == Outcome.DeadLetter)
            {
                dead++;
                WriteDeadLetter(output, origin, written.Source.RejectReason!);
                return;
            }

            _ = outcome switch { Outcome.Fraud => fraud++, Outcome.Review => review++, _ => legit++ };
            output.WriteLine(JsonSerializer.Serialize(new
            {
                transactionId = tx.TransactionId,
                account = tx.Source,
                origin = origin.ToString(),
                outcome = outcome.ToString().ToLowerInvariant(),
                action = verdict.Action.ToString().ToLowerInvariant(),
                score = verdict.Score,
                rules = verdict.Rules.Select(r => new { id = r.Id, observed = r.Observed, limit = r.Limit, window = r.Window, version = r.Version, values = r.Values.ToDictionary(v => v.Expression, v => v.Number is { } n ? n : (object?)v.Text) }),
                late = verdict.Late,
            }, Json));
        }, cancel);
        if (status == 0)
        {
            output.WriteLine($"replayed: {JsonSerializer.Serialize(new { topic, legit, fraud, review, deadLetter = dead, accounts = accounts.Count }, Json)}");
        }

        return status;
    }

    private static void WriteDeadLetter(TextWriter output, RecordOrigin origin, string reason) =>
        output.WriteLine(JsonSerializer.Serialize(new { origin = origin.ToString(), outcome = "dead-letter", reason }, Json));
}

using System.Collections.Concurrent;
using System.Text;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Actors.Contracts;
using Fraud.Host.Metrics;

namespace Fraud.Host.Detection;

/// <summary>
/// Counts what the detector wrote, as each output is acknowledged: per outcome, per rule, per injected scenario
/// (the generator's ground-truth header), and the end-to-end latency from the transaction's timestamp to the
/// acknowledgement. Updated from the stream, read by status lines, the summary, the dashboard and (the same counts)
/// the Prometheus metrics. Keeps the latest fraud verdicts in a fixed ring, encoded (see <see cref="FlaggedRing"/>):
/// the dashboard samples them, it never receives every transaction.
/// </summary>
public sealed class DetectorStats(TimeProvider? clock = null, int recentVerdicts = 1000, int latencySamples = DetectorStats.DefaultLatencySamples)
{
    /// <summary>
    /// The latest 2^20 latencies (8 MiB) by default: enough for a percentile over a bench's whole phase, as the
    /// passthrough it is compared with keeps (the bench raises it for phases beyond ~1,000,000 records).
    /// </summary>
    public const int DefaultLatencySamples = 1 << 20;
    private int LatencySamples => _latencies.Length;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly FlaggedRing _recentFraud = new(recentVerdicts);
    private long _in;
    private readonly ConcurrentDictionary<string, long> _ruleHits = new();
    private readonly ConcurrentDictionary<string, long> _shadowHits = new();
    private readonly ConcurrentDictionary<string, long> _injected = new();
    private readonly ConcurrentDictionary<string, long> _detected = new();
    private readonly ConcurrentDictionary<string, long> _unlabelledHits = new();
    private readonly ConcurrentDictionary<string, long> _unlabelledPatterns = new();
    private readonly double[] _latencies = new double[Math.Max(1, latencySamples)];
    private long _legit;
    private long _fraud;
    private long _review;
    private long _deadLetter;
    private long _latencyCount;

    public long Legit => Interlocked.Read(ref _legit);

    public long Fraud => Interlocked.Read(ref _fraud);

    public long Review => Interlocked.Read(ref _review);

    public long DeadLetter => Interlocked.Read(ref _deadLetter);

    public long Total => Legit + Fraud + Review + DeadLetter;

    /// <summary>Records taken from the input topic (each becomes exactly one output).</summary>
    public long In => Interlocked.Read(ref _in);

    /// <summary>Latency samples recorded so far; a mark for <see cref="LatencyPercentilesSince"/>.</summary>
    public long LatencyMark => Interlocked.Read(ref _latencyCount);

    public IReadOnlyDictionary<string, long> RuleHits => _ruleHits;

    /// <summary>Hits of rules in shadow, which decided nothing.</summary>
    public IReadOnlyDictionary<string, long> ShadowHits => _shadowHits;

    public IReadOnlyDictionary<string, long> InjectedSeen => _injected;

    /// <summary>Per injected scenario, its records blocked or sent to review.</summary>
    public IReadOnlyDictionary<string, long> DetectedInjected => _detected;

    /// <summary>
    /// Per rule, its hits on records blocked or sent to review that carry no ground-truth label: false positives, when
    /// the input is labelled (generated traffic); every flagged record, when it is not.
    /// </summary>
    public IReadOnlyDictionary<string, long> UnlabelledHits => _unlabelledHits;

    /// <summary>The flagged records without a label, by the legit pattern their header names (<c>ordinary</c>: none).</summary>
    public IReadOnlyDictionary<string, long> UnlabelledByPattern => _unlabelledPatterns;

    /// <summary>Called once per record consumed from <paramref name="topic"/>.</summary>
    public void RecordIn(string topic)
    {
        Interlocked.Increment(ref _in);
        FraudMetrics.ForTopic(FraudMetrics.RecordsIn, topic).Inc();
    }

    /// <summary>
    /// Called once per output acknowledged by the broker on <paramref name="topic"/>; <paramref name="processingSeconds"/>
    /// is the time from the input leaving the consumer to the output's acknowledgement, when known, and
    /// <paramref name="sinceAcknowledged"/> how long ago that acknowledgement arrived (the end-to-end latency ends there).
    /// </summary>
    public void Record(in OutputSummary summary, string? topic = null, double? processingSeconds = null, TimeSpan sinceAcknowledged = default)
    {
        if (topic is not null)
        {
            FraudMetrics.ForTopic(FraudMetrics.RecordsOut, topic).Inc();
        }

        if (processingSeconds is { } seconds)
        {
            FraudMetrics.Processing.Observe(seconds);
        }

        switch (summary.Outcome)
        {
            case Outcome.Legit:
                Interlocked.Increment(ref _legit);
                FraudMetrics.LegitTransactions.Inc();
                break;
            case Outcome.Fraud:
                Interlocked.Increment(ref _fraud);
                FraudMetrics.FraudTransactions.Inc();
                if (summary.Flagged is { } flagged)
                {
                    _recentFraud.Add(flagged);
                }

                break;
            case Outcome.Review:
                Interlocked.Increment(ref _review);
                FraudMetrics.ReviewTransactions.Inc();
                if (summary.Flagged is { } reviewed)
                {
                    _recentFraud.Add(reviewed);
                }

                break;
            default:
                Interlocked.Increment(ref _deadLetter);
                FraudMetrics.DeadLetterTransactions.Inc();
                FraudMetrics.DeadLetters.WithLabels(summary.RejectReason ?? "unknown").Inc();
                return;
        }

        var rules = summary.Rules;
        for (var i = 0; i < rules.Count; i++) // an index: foreach over the interface would allocate its enumerator
        {
            var hit = rules[i];
            _ruleHits.AddOrUpdate(hit.Id, 1, (_, n) => n + 1);
            FraudMetrics.RuleHit(hit, shadow: false).Inc();
        }

        for (var i = 0; i < summary.Shadow.Count; i++)
        {
            _shadowHits.AddOrUpdate(summary.Shadow[i].Id, 1, (_, n) => n + 1);
            FraudMetrics.RuleHit(summary.Shadow[i], shadow: true).Inc();
        }

        var flaggedOutcome = summary.Outcome is Outcome.Fraud or Outcome.Review;
        if (flaggedOutcome && summary.Scenario is null)
        {
            _unlabelledPatterns.AddOrUpdate(summary.Pattern ?? "ordinary", 1, (_, n) => n + 1);
            for (var i = 0; i < rules.Count; i++)
            {
                _unlabelledHits.AddOrUpdate(rules[i].Id, 1, (_, n) => n + 1);
            }
        }

        if (summary.Scenario is { } scenario)
        {
            _injected.AddOrUpdate(scenario, 1, (_, n) => n + 1);
            if (flaggedOutcome)
            {
                _detected.AddOrUpdate(scenario, 1, (_, n) => n + 1);
            }
        }

        // The latest samples, each overwriting the oldest: bounded memory at any rate.
        var latencyMs = (_clock.GetUtcNow() - sinceAcknowledged - summary.EventTime).TotalMilliseconds;
        var index = Interlocked.Increment(ref _latencyCount) - 1;
        _latencies[index % LatencySamples] = latencyMs;
        FraudMetrics.EndToEnd.Observe(Math.Max(0, latencyMs) / 1000);
    }

    /// <summary>The latest fraud verdicts, newest first, each made as it is reached (take only what you need).</summary>
    public IEnumerable<FlaggedTransaction> RecentFraud() => _recentFraud.NewestFirst();

    /// <summary>The latest fraud verdicts with their sequence numbers, newest first, below <paramref name="before"/> when given.</summary>
    public IEnumerable<(long Sequence, FlaggedTransaction Flagged)> RecentFraud(long? before) => _recentFraud.NewestFirst(before);

    /// <summary>
    /// p50 and p99 (ms) of the latencies recorded since <paramref name="mark"/> (a previous <see cref="LatencyMark"/>),
    /// over at most the last 20,000 of them; zeros when there were none.
    /// </summary>
    public (double P50, double P99) LatencyPercentilesSince(long mark)
    {
        var now = LatencyMark;
        var count = (int)Math.Min(Math.Min(now - mark, 20_000), LatencySamples);
        if (count <= 0)
        {
            return (0, 0);
        }

        var window = new double[count];
        for (var i = 0; i < count; i++)
        {
            window[i] = _latencies[(now - count + i) % LatencySamples];
        }

        return (Percentile(window, count, 50), Percentile(window, count, 99));
    }

    /// <summary>Forgets the latency samples, to measure a new phase (benchmarks).</summary>
    public void ResetLatencies() => Interlocked.Exchange(ref _latencyCount, 0);

    /// <summary>The latency percentile (0..100) in ms over the kept samples.</summary>
    public double LatencyPercentile(double percentile) => Percentile(_latencies, Interlocked.Read(ref _latencyCount), percentile);

    /// <summary>The latencies kept (ms), oldest first: for a bench that looks at them over time.</summary>
    public double[] Latencies() => InOrder(_latencies, Interlocked.Read(ref _latencyCount));

    /// <summary>The samples of a ring of which <paramref name="recorded"/> were written, oldest first.</summary>
    public static double[] InOrder(double[] ring, long recorded)
    {
        if (recorded <= ring.Length)
        {
            return ring.AsSpan(0, (int)recorded).ToArray();
        }

        var start = (int)(recorded % ring.Length);
        return [.. ring.AsSpan(start), .. ring.AsSpan(0, start)];
    }

    /// <summary>
    /// The percentile (0..100), by nearest rank, of a ring of samples of which <paramref name="recorded"/> were written
    /// (only the last <c>samples.Length</c> are kept).
    /// </summary>
    public static double Percentile(double[] samples, long recorded, double percentile)
    {
        var count = (int)Math.Min(recorded, samples.Length);
        if (count == 0)
        {
            return 0;
        }

        var copy = samples.AsSpan(0, count).ToArray();
        Array.Sort(copy);
        var rank = (int)Math.Ceiling(percentile / 100 * count) - 1;
        return Math.Round(copy[Math.Clamp(rank, 0, count - 1)], 2);
    }

    /// <summary>Distinct scenario labels counted; a label beyond them counts as <see cref="OtherScenario"/>.</summary>
    public const int MaxScenarios = 64;

    public const string OtherScenario = "other";

    private static readonly ConcurrentDictionary<string, string> KnownLabels = new(StringComparer.Ordinal);

    /// <summary>
    /// The ground-truth label in the headers, as one of at most <see cref="MaxScenarios"/> strings for the process's life:
    /// the header comes from whoever writes the input, and a label per record would grow the counts without bound.
    /// </summary>
    public static string? Label(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string header = GroundTruth.ScenarioHeader)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var (key, value) = headers[i];
            if (key != header)
            {
                continue;
            }

            if (value is null || value.Length is 0 or > 64 || !System.Text.Ascii.IsValid(value))
            {
                return OtherScenario;
            }

            var label = Encoding.ASCII.GetString(value);
            if (KnownLabels.TryGetValue(label, out var known))
            {
                return known;
            }

            return KnownLabels.Count >= MaxScenarios ? OtherScenario : KnownLabels.GetOrAdd(label, label);
        }

        return null;
    }
}

/// <summary>A fraud verdict as the dashboard lists it: the transaction and its verdict.</summary>
public sealed record FlaggedTransaction(Transaction Transaction, Verdict Verdict, int Partition);

/// <summary>
/// What <see cref="DetectorStats"/> needs of a scored record once its output is acknowledged, taken when the output is
/// produced. A value, not the scored record: the record (its input's bytes, the parsed transaction's strings, the
/// verdict) can then die before the broker answers, instead of surviving the young collections of the wait and being
/// copied into an older generation with every record in flight; only a fraud verdict is kept, for the dashboard.
/// </summary>
public readonly record struct OutputSummary(Outcome Outcome, DateTimeOffset EventTime, IReadOnlyList<RuleHit> Rules, FlaggedTransaction? Flagged, string? RejectReason, string? Scenario)
{
    /// <summary>The legit pattern of a flagged record without a label (generated traffic), to say what a false positive was.</summary>
    public string? Pattern { get; init; }

    /// <summary>The shadow rules that matched: counted in the metric beside the active ones, never in the outcome.</summary>
    public IReadOnlyList<RuleHit> Shadow { get; init; } = Array.Empty<RuleHit>();

    public static OutputSummary Of<TAck>(ScoredRecord<TAck> scored) => scored.Outcome switch
    {
        Outcome.DeadLetter => new(Outcome.DeadLetter, default, Array.Empty<RuleHit>(), null, scored.RejectReason, null),
        var outcome => new(outcome, scored.Transaction!.Timestamp, scored.Verdict!.Rules,
            outcome is Outcome.Fraud or Outcome.Review ? new FlaggedTransaction(scored.Transaction, scored.Verdict, scored.Input.Origin.Partition) : null,
            null, DetectorStats.Label(scored.Input.Headers))
        {
            Shadow = scored.Verdict.Shadow,
            Pattern = outcome is Outcome.Fraud or Outcome.Review ? DetectorStats.Label(scored.Input.Headers, GroundTruth.PatternHeader) : null,
        },
    };
}

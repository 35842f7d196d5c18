using System.Collections.Concurrent;
using System.Text;
using Fraud.Actors.Detection;
using Fraud.Generator.Transactions;

namespace Fraud.Host.Detection;

/// <summary>
/// Counts what the detector wrote, as each output is acknowledged: per outcome, per rule, per injected scenario
/// (the generator's ground-truth header), and the end-to-end latency from the transaction's timestamp to the
/// acknowledgement. Updated from the stream, read by status lines and the summary.
/// </summary>
public sealed class DetectorStats(TimeProvider? clock = null)
{
    private const int LatencySamples = 200_000;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, long> _ruleHits = new();
    private readonly ConcurrentDictionary<string, long> _injected = new();
    private readonly ConcurrentDictionary<string, long> _detected = new();
    private readonly double[] _latencies = new double[LatencySamples];
    private long _legit;
    private long _fraud;
    private long _deadLetter;
    private long _latencyCount;

    public long Legit => Interlocked.Read(ref _legit);

    public long Fraud => Interlocked.Read(ref _fraud);

    public long DeadLetter => Interlocked.Read(ref _deadLetter);

    public long Total => Legit + Fraud + DeadLetter;

    public IReadOnlyDictionary<string, long> RuleHits => _ruleHits;

    public IReadOnlyDictionary<string, long> InjectedSeen => _injected;

    public IReadOnlyDictionary<string, long> DetectedInjected => _detected;

    /// <summary>Called once per acknowledged output.</summary>
    public void Record<TAck>(OutboundRecord<TAck> output)
    {
        switch (output.Outcome)
        {
            case Outcome.Legit: Interlocked.Increment(ref _legit); break;
            case Outcome.Fraud: Interlocked.Increment(ref _fraud); break;
            default: Interlocked.Increment(ref _deadLetter); return;
        }

        var scored = output.Source;
        foreach (var hit in scored.Verdict!.Rules)
        {
            _ruleHits.AddOrUpdate(hit.Id, 1, (_, n) => n + 1);
        }

        if (Label(scored.Input.Headers) is { } scenario)
        {
            _injected.AddOrUpdate(scenario, 1, (_, n) => n + 1);
            if (output.Outcome == Outcome.Fraud)
            {
                _detected.AddOrUpdate(scenario, 1, (_, n) => n + 1);
            }
        }

        // Reservoir of the first samples plus a rolling overwrite: bounded memory at any rate.
        var latencyMs = (_clock.GetUtcNow() - scored.Transaction!.Timestamp).TotalMilliseconds;
        var index = Interlocked.Increment(ref _latencyCount) - 1;
        _latencies[index % LatencySamples] = latencyMs;
    }

    /// <summary>Forgets the latency samples, to measure a new phase (benchmarks).</summary>
    public void ResetLatencies() => Interlocked.Exchange(ref _latencyCount, 0);

    /// <summary>The latency percentile (0..100) in ms over the kept samples.</summary>
    public double LatencyPercentile(double percentile) => Percentile(_latencies, Interlocked.Read(ref _latencyCount), percentile);

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

    private static string? Label(IReadOnlyList<KeyValuePair<string, byte[]>> headers)
    {
        foreach (var (key, value) in headers)
        {
            if (key == GeneratedTransaction.ScenarioHeader)
            {
                return Encoding.UTF8.GetString(value);
            }
        }

        return null;
    }
}

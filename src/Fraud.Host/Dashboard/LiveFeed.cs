using Fraud.Host.Detection;

namespace Fraud.Host.Dashboard;

/// <summary>One second of the node's activity, as the dashboard charts it.</summary>
public sealed record Snapshot(
    DateTimeOffset Time,
    double InPerSecond,
    double LegitPerSecond,
    double FraudPerSecond,
    double DeadLetterPerSecond,
    double P50Ms,
    double P99Ms,
    long In,
    long Legit,
    long Fraud,
    long DeadLetter,
    double ReviewPerSecond = 0,
    long Review = 0);

/// <summary>
/// Turns the detector's running counts into one <see cref="Snapshot"/> a second and keeps the last few minutes, so a
/// dashboard opened late starts with history. Only the ticker writes; readers get copies. This is the sampling that
/// keeps the dashboard cheap at any rate: the browser sees one small object a second, never the transactions.
/// </summary>
public sealed class LiveFeed(DetectorStats stats, int historySeconds, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Queue<Snapshot> _history = new();
    private readonly Queue<(DateTimeOffset Time, Dictionary<string, long> Hits)> _hits = new();
    private readonly Lock _gate = new();
    private Snapshot? _last;
    private long _latencyMark;

    /// <summary>Raised after each tick with the new snapshot (server-sent events subscribe here).</summary>
    public event Action<Snapshot>? Ticked;

    public Snapshot? Latest
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    public IReadOnlyList<Snapshot> History()
    {
        lock (_gate)
        {
            return _history.ToArray();
        }
    }

    /// <summary>Each rule's hits (active or shadow) in the last minute (in the seconds so far, on a node up for less).</summary>
    public IReadOnlyDictionary<string, double> HitsPerMinute()
    {
        lock (_gate)
        {
            if (_hits.Count < 2)
            {
                return new Dictionary<string, double>();
            }

            var (first, last) = (_hits.Peek(), _hits.Last());
            var minutes = Math.Max(1, (last.Time - first.Time).TotalMinutes);
            return last.Hits.ToDictionary(h => h.Key, h => Math.Round((h.Value - first.Hits.GetValueOrDefault(h.Key)) / minutes, 1), StringComparer.Ordinal);
        }
    }

    /// <summary>Takes the next snapshot: rates since the previous one, latency percentiles of what was written since.</summary>
    public Snapshot Tick()
    {
        var now = _clock.GetUtcNow();
        Snapshot next;
        lock (_gate)
        {
            var (p50, p99) = stats.LatencyPercentilesSince(_latencyMark);
            _latencyMark = stats.LatencyMark;
            var previous = _last;
            var seconds = previous is null ? 1 : Math.Max(0.001, (now - previous.Time).TotalSeconds);
            long legit = stats.Legit, fraud = stats.Fraud, review = stats.Review, dead = stats.DeadLetter, input = stats.In;
            next = new Snapshot(
                now,
                Rate(input, previous?.In, seconds),
                Rate(legit, previous?.Legit, seconds),
                Rate(fraud, previous?.Fraud, seconds),
                Rate(dead, previous?.DeadLetter, seconds),
                p50,
                p99,
                input,
                legit,
                fraud,
                dead,
                Rate(review, previous?.Review, seconds),
                review);
            _last = next;
            _history.Enqueue(next);
            while (_history.Count > historySeconds)
            {
                _history.Dequeue();
            }

            var hits = new Dictionary<string, long>(stats.RuleHits, StringComparer.Ordinal);
            foreach (var (rule, n) in stats.ShadowHits)
            {
                hits[rule] = hits.GetValueOrDefault(rule) + n;
            }

            _hits.Enqueue((now, hits));
            while (_hits.Count > 2 && now - _hits.Peek().Time > TimeSpan.FromSeconds(60))
            {
                _hits.Dequeue();
            }
        }

        Ticked?.Invoke(next);
        return next;
    }

    private static double Rate(long now, long? before, double seconds) =>
        before is null ? 0 : Math.Round((now - before.Value) / seconds, 1);
}

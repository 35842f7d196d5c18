using System.Diagnostics.Tracing;

namespace Fraud.Benchmarks.EndToEnd;

/// <summary>
/// Every pause the runtime's garbage collector makes in this process while it listens, from the runtime's own events
/// (the execution engine suspended → restarted), with the generation collected. A latency percentile says how late
/// records were; this says how much of that lateness was the process standing still.
/// </summary>
public sealed class GcPauses : EventListener
{
    private const int SuspendBegin = 9;
    private const int SuspendEnd = 8;
    private const int RestartEnd = 3;
    private const int GcStart = 1;
    private const int HeapStats = 4;
    private const int MarkWithType = 202;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly object _gate = new();
    private readonly List<(int Generation, double Ms)> _pauses = new();
    private double _suspendingMs;
    private long _promotedFromGen0;
    private long _promotedFromGen1;
    private DateTime? _suspended;
    private int _generation = -1;
    private bool _listening;
    private int[] _collectionsAtReset = new int[3];
    // Bytes the collections marked, by where the marking started (the runtime's GC root kinds) and generation.
    private readonly Dictionary<(int Generation, int Kind), long> _marked = new();

    /// <summary>Starts (again) from no pause.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _pauses.Clear();
            _suspendingMs = 0;
            _promotedFromGen0 = 0;
            _promotedFromGen1 = 0;
            _marked.Clear();
            _collectionsAtReset = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            _listening = true;
        }
    }

    /// <summary>
    /// The pauses since <see cref="Reset"/>: the longest, the total, and by generation ("gen0 n×, longest x ms; ..."),
    /// a pause that collected nothing (a suspension for another reason) counted under its own name.
    /// </summary>
    public (double MaxMs, double TotalMs, string ByGeneration) Summary()
    {
        lock (_gate)
        {
            var byGeneration = string.Join("; ", _pauses.GroupBy(p => p.Generation).OrderBy(g => g.Key)
                .Select(g => $"{(g.Key < 0 ? "other" : "gen" + g.Key)} {g.Count()}x, longest {g.Max(p => p.Ms):F1} ms"))
                + $"; of the total, {_suspendingMs:F0} ms stopping the threads";
            return (_pauses.Count == 0 ? 0 : Math.Round(_pauses.Max(p => p.Ms), 1), Math.Round(_pauses.Sum(p => p.Ms), 1), byGeneration);
        }
    }

    /// <summary>Bytes the collections since <see cref="Reset"/> promoted out of gen0 and out of gen1 (the runtime's heap statistics after each).</summary>
    public (long FromGen0, long FromGen1) Promoted()
    {
        lock (_gate)
        {
            return (_promotedFromGen0, _promotedFromGen1);
        }
    }

    /// <summary>
    /// Collections since <see cref="Reset"/> by the runtime's own count (a gen1 collection counts as gen0 too, a gen2
    /// as all three), background gen2 collections included: they pause the process only briefly, but mark the whole
    /// heap on a thread of their own, which takes a core from the records.
    /// </summary>
    public string Collections()
    {
        int[] atReset;
        lock (_gate)
        {
            atReset = _collectionsAtReset;
        }

        return $"gen0 {GC.CollectionCount(0) - atReset[0]}, gen1 {GC.CollectionCount(1) - atReset[1]}, gen2 {GC.CollectionCount(2) - atReset[2]}";
    }

    /// <summary>
    /// What the young collections since <see cref="Reset"/> marked, by where the marking started: the threads' stacks,
    /// the GC handles (pinned buffers, delivery handlers held by native code), the finalization queue, and the older
    /// generations' references into younger ones (the card table). Says whether a collection is long because much
    /// survives, or because old objects keep pointing at young ones.
    /// </summary>
    public string MarkedFrom()
    {
        lock (_gate)
        {
            return string.Join("; ", _marked.Where(m => m.Key.Generation < 2).GroupBy(m => m.Key.Generation).OrderBy(g => g.Key)
                .Select(g => $"gen{g.Key}: " + string.Join(", ", g.OrderByDescending(m => m.Value)
                    .Select(m => $"{KindName(m.Key.Kind)} {m.Value / 1048576.0:F1} MB"))));
        }
    }

    private static string KindName(int kind) => kind switch
    {
        0 => "stacks",
        1 => "finalizer queue",
        2 => "handles",
        3 => "older generations",
        4 => "sized refs",
        5 => "overflow",
        6 => "dependent handles",
        _ => "kind " + kind,
    };

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            if (!_listening)
            {
                return;
            }

            switch (e.EventId)
            {
                case SuspendBegin:
                    _suspended = e.TimeStamp;
                    _generation = -1;
                    break;
                case SuspendEnd when _suspended is { } asked:
                    _suspendingMs += (e.TimeStamp - asked).TotalMilliseconds;
                    break;
                case GcStart when e.PayloadNames?.IndexOf("Depth") is { } depth and >= 0:
                    _generation = Convert.ToInt32(e.Payload![depth]);
                    break;
                case HeapStats when e.PayloadNames is { } names && names.IndexOf("TotalPromotedSize0") is var p0 and >= 0 && names.IndexOf("TotalPromotedSize1") is var p1 and >= 0:
                    _promotedFromGen0 += Convert.ToInt64(e.Payload![p0]);
                    _promotedFromGen1 += Convert.ToInt64(e.Payload![p1]);
                    break;
                case MarkWithType when _generation >= 0 && e.PayloadNames is { } names && names.IndexOf("Type") is var type and >= 0 && names.IndexOf("Bytes") is var bytes and >= 0:
                    var key = (_generation, Convert.ToInt32(e.Payload![type]));
                    _marked[key] = _marked.GetValueOrDefault(key) + Convert.ToInt64(e.Payload![bytes]);
                    break;
                case RestartEnd when _suspended is { } since:
                    _pauses.Add((_generation, (e.TimeStamp - since).TotalMilliseconds));
                    _suspended = null;
                    break;
            }
        }
    }
}

using System.Diagnostics;

namespace Fraud.Benchmarks.EndToEnd;

/// <summary>
/// The cores kept busy during a phase: by this process (the contender) and by the whole machine (broker and generator
/// included, from <c>/proc/stat</c> where there is one). A contender near the machine's two cores queues what arrives
/// during any pause, which is what a latency percentile then shows.
/// </summary>
public sealed class PhaseCpu
{
    private readonly Stopwatch _clock = new();
    private TimeSpan _processAtStart;
    private (long Busy, long Total)? _machineAtStart;

    public void Reset()
    {
        _processAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _machineAtStart = MachineTicks();
        _clock.Restart();
    }

    /// <summary>Cores busy since <see cref="Reset"/>: this process's, and the machine's (NaN without <c>/proc/stat</c>).</summary>
    public (double Process, double Machine) Cores()
    {
        var elapsed = _clock.Elapsed.TotalSeconds;
        var process = (Process.GetCurrentProcess().TotalProcessorTime - _processAtStart).TotalSeconds / elapsed;
        var machine = double.NaN;
        if (_machineAtStart is { } start && MachineTicks() is { } end && end.Total > start.Total)
        {
            machine = Environment.ProcessorCount * (double)(end.Busy - start.Busy) / (end.Total - start.Total);
        }

        return (Math.Round(process, 2), Math.Round(machine, 2));
    }

    /// <summary>The first line of /proc/stat: busy and total jiffies over all cores (idle and iowait are not busy).</summary>
    private static (long Busy, long Total)? MachineTicks()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            var total = fields.Sum();
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            return (total - idle, total);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

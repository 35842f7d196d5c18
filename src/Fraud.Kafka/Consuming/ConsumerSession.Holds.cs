using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Fraud.Kafka.Consuming;

// Holds: partitions assigned here whose records this node cannot process, so it does not fetch them.
public sealed partial class ConsumerSession
{
    // Partitions not to fetch while assigned here (their records cannot be processed on this node); the polling
    // thread pauses them at its next turn and leaves them out of every resume.
    private readonly ConcurrentDictionary<TopicPartition, byte> _held = new();
    private int _holdsChanged;

    /// <summary>
    /// Stops fetching <paramref name="partition"/> for as long as it is assigned here: its records are neither emitted
    /// nor committed (a node that can process them takes the partition over). A new assignment of it fetches again.
    /// </summary>
    public void Hold(TopicPartition partition)
    {
        _held[partition] = 0;
        Volatile.Write(ref _holdsChanged, 1);
    }

    /// <summary>Partitions held by <see cref="Hold"/>.</summary>
    public IReadOnlyCollection<TopicPartition> Held => _held.Keys.ToArray();

    /// <summary>How many holds the polling thread has applied (paused) so far.</summary>
    public long HoldsApplied => Interlocked.Read(ref _holdsApplied);

    private long _holdsApplied;

    internal void HoldsPaused(int count) => Interlocked.Add(ref _holdsApplied, count);

    /// <summary>Whether holds were asked for since the last call (the polling thread's turn to pause them).</summary>
    internal bool TakeHoldsChanged() => Interlocked.Exchange(ref _holdsChanged, 0) == 1;

    /// <summary>The partitions of <paramref name="assignment"/> not held.</summary>
    internal List<TopicPartition> Unheld(IEnumerable<TopicPartition> assignment) =>
        _held.IsEmpty ? assignment.ToList() : assignment.Where(p => !_held.ContainsKey(p)).ToList();
}

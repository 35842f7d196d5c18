using Confluent.Kafka;

namespace Fraud.Kafka.Consuming;

/// <summary>One assigned partition's emitted, acknowledged and committed offsets (under the session's lock).</summary>
internal sealed class PartitionTrack(int generation, TopicPartition partition)
{
    private HashSet<long>? _acknowledgedOutOfOrder;

    public int Generation { get; } = generation;

    public TopicPartition Partition { get; } = partition;

    /// <summary>Offsets emitted and not yet acknowledged, in emission (= offset) order.</summary>
    public Queue<long> InFlight { get; } = new();

    /// <summary>Next offset to commit: one past the contiguous acknowledged prefix; -1 when nothing is done.</summary>
    public long Committable { get; private set; } = -1;

    public long Committed { get; set; } = -1;

    public void Acknowledge(long offset)
    {
        if (InFlight.Count == 0 || offset < InFlight.Peek())
        {
            return; // already acknowledged once: a duplicate acknowledgement is harmless
        }

        if (offset != InFlight.Peek())
        {
            (_acknowledgedOutOfOrder ??= new()).Add(offset);
            return;
        }

        InFlight.Dequeue();
        Committable = offset + 1;
        while (_acknowledgedOutOfOrder is { Count: > 0 } && InFlight.Count > 0 && _acknowledgedOutOfOrder.Remove(InFlight.Peek()))
        {
            Committable = InFlight.Dequeue() + 1;
        }
    }
}

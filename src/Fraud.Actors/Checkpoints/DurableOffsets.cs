using System.Collections.Concurrent;

namespace Fraud.Actors.Checkpoints;

/// <summary>
/// The next offset of each partition whose account states are durable, shared by the partition actors (which write
/// it after each save) and the Kafka committer (which never commits past <see cref="CommitLimit"/>). Committing only
/// what the checkpoints cover is what lets a new owner resume from the committed offset with state that already
/// includes every record before it.
/// </summary>
public sealed class DurableOffsets
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), Progress> _offsets = new();

    /// <summary>A partition's new owner starts: nothing it has may be committed until it has restored its accounts.</summary>
    public void Begin(string topic, int partition) => _offsets[(topic, partition)] = new Progress();

    /// <summary>The accounts reflect every record before <paramref name="nextOffset"/>, durably (a save, or a restore).</summary>
    public void Set(string topic, int partition, long nextOffset)
    {
        var progress = _offsets.GetOrAdd((topic, partition), _ => new Progress());
        Volatile.Write(ref progress.Saved, nextOffset);
        if (Volatile.Read(ref progress.Scored) == long.MaxValue)
        {
            Volatile.Write(ref progress.Scored, nextOffset); // restored: what it scores from here on is ahead of it
        }
    }

    /// <summary>The partition's owner has scored every record before <paramref name="nextOffset"/> it was given.</summary>
    public void Scored(string topic, int partition, long nextOffset)
    {
        if (_offsets.TryGetValue((topic, partition), out var progress))
        {
            Volatile.Write(ref progress.Scored, nextOffset);
        }
    }

    /// <summary>The durable next offset; -1 when nothing is durable yet.</summary>
    public long Get(string topic, int partition) => _offsets.TryGetValue((topic, partition), out var progress) ? Volatile.Read(ref progress.Saved) : -1;

    /// <summary>
    /// How far the committer may commit: to the durable offset while the owner has scored records after it; without a
    /// limit once everything scored is durable, since what it acknowledges beyond that (dead letters) changed no state.
    /// Called after the acknowledged prefix was read: a record in it that was scored had raised the scored offset first.
    /// </summary>
    public long CommitLimit(string topic, int partition)
    {
        if (!_offsets.TryGetValue((topic, partition), out var progress))
        {
            return -1;
        }

        var scored = Volatile.Read(ref progress.Scored); // before the saved offset: both only grow
        var saved = Volatile.Read(ref progress.Saved);
        return scored <= saved ? long.MaxValue : saved;
    }

    private sealed class Progress
    {
        public long Saved = -1;

        // Max: not restored yet, so nothing is covered.
        public long Scored = long.MaxValue;
    }
}

using Confluent.Kafka;

namespace Fraud.Kafka.Consuming;

// The commit path: acknowledged prefixes to the group coordinator, one round trip at a time.
public sealed partial class ConsumerSession
{
    /// <summary>Commits every partition's acknowledged prefix that is not committed yet. Blocks for one round trip.</summary>
    public int CommitAcknowledged()
    {
        lock (_commitGate)
        {
            List<TopicPartitionOffset>? offsets;
            lock (_gate)
            {
                offsets = _consumer is null || _closed ? null : CommittableLocked(_partitions.Keys);
            }

            return offsets is null ? 0 : Commit(offsets);
        }
    }

    /// <summary>
    /// <see cref="CommitAcknowledged"/> on a thread-pool thread, returning at once: for the committer, whose stage
    /// shares its thread with the rest of the stream, which would otherwise stand still for every commit's round trip.
    /// Asked for while one runs, one more runs after it (with the offsets acknowledged by then); never more than one at a time.
    /// </summary>
    public void CommitInBackground()
    {
        while (true)
        {
            var state = Volatile.Read(ref _background);
            if (state == 2 || (state == 1 && Interlocked.CompareExchange(ref _background, 2, 1) == 1))
            {
                return; // the running one goes again when it is done
            }

            if (state == 0 && Interlocked.CompareExchange(ref _background, 1, 0) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static session => session.CommitWhileAsked(), this, preferLocal: false);
                return;
            }
        }
    }

    private void CommitWhileAsked()
    {
        while (true)
        {
            try
            {
                CommitAcknowledged();
            }
            catch (Exception e)
            {
                // The consumer was closed meanwhile (a stopping node): what is not committed is re-read, never lost.
                _log($"background commit: {e.GetBaseException().Message}");
            }

            if (Interlocked.CompareExchange(ref _background, 0, 1) == 1)
            {
                return;
            }

            Volatile.Write(ref _background, 1); // asked for again meanwhile: once more
        }
    }

    /// <summary>The offsets to commit for <paramref name="partitions"/>, or null when none moved; under <c>_gate</c>.</summary>
    private List<TopicPartitionOffset>? CommittableLocked(IEnumerable<TopicPartition> partitions)
    {
        List<TopicPartitionOffset>? offsets = null;
        foreach (var partition in partitions)
        {
            if (!_partitions.TryGetValue(partition, out var track))
            {
                continue;
            }

            var committable = _commitLimit is null
                ? track.Committable
                : Math.Min(track.Committable, _commitLimit(partition.Topic, partition.Partition.Value));
            if (committable > track.Committed)
            {
                (offsets ??= new()).Add(new TopicPartitionOffset(partition, new Offset(committable)));
            }
        }

        return offsets;
    }

    /// <summary>One round trip, under <c>_commitGate</c> and outside <c>_gate</c>: records keep flowing meanwhile.</summary>
    private int Commit(List<TopicPartitionOffset> offsets)
    {
        try
        {
            _consumer!.Commit(offsets);
        }
        catch (KafkaException e)
        {
            // Not fatal: the same offsets (or later ones) are retried at the next commit; a rebalance makes the new
            // owner re-read from the last successful commit, which is at-least-once, never a loss.
            _log($"commit failed ({e.Error.Code}: {e.Error.Reason}); will retry");
            CommitFailures++;
            return 0;
        }

        lock (_gate)
        {
            foreach (var committed in offsets)
            {
                if (_partitions.TryGetValue(committed.TopicPartition, out var track))
                {
                    track.Committed = Math.Max(track.Committed, committed.Offset.Value);
                }
            }

            CommitCount += offsets.Count;
        }

        return offsets.Count;
    }
}

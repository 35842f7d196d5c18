using Confluent.Kafka;

namespace Fraud.Kafka.Consuming;

/// <summary>
/// Owns one Kafka consumer and the commit bookkeeping of its partitions. The source stage registers every record it
/// emits; the committer acknowledges them in any order; only the contiguous acknowledged prefix of a partition is
/// committed, so a record that is still in flight can never be skipped by a crash.
/// On revocation the acknowledged prefix of the revoked partitions is committed synchronously inside the rebalance
/// callback (before the new owner starts reading), and their later acknowledgements are dropped: nothing is lost,
/// and nothing is committed twice or over the new owner's progress.
/// A commit is a round trip to the group coordinator: it runs outside the lock that the source and the committer take
/// for every record (<see cref="CommitInBackground"/> off their threads too), and commits run one at a time, in the
/// order their offsets were taken, so a later commit never carries an older offset than an earlier one.
/// </summary>
public sealed class ConsumerSession : IDisposable
{
    private readonly Lock _gate = new();
    // Held across a commit's round trip (never while waiting for _gate's holders to do Kafka calls): one commit at a time.
    private readonly Lock _commitGate = new();
    private int _background; // 0: no background commit; 1: one runs; 2: one runs and another was asked for meanwhile
    private readonly Dictionary<TopicPartition, PartitionTrack> _partitions = new();
    private readonly Action<string> _log;
    private readonly Func<string, int, long>? _commitLimit;
    private readonly IPartitionListener? _listener;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private int _nextGeneration;
    private bool _closed;

    internal ConsumerSession(Action<string> log, Func<string, int, long>? commitLimit = null, IPartitionListener? listener = null)
    {
        _log = log;
        _commitLimit = commitLimit;
        _listener = listener;
    }

    /// <summary>Raised (on the polling thread) after partitions were assigned.</summary>
    public event Action<IReadOnlyList<TopicPartition>>? Assigned;

    /// <summary>Raised after partitions were revoked or lost.</summary>
    public event Action<IReadOnlyList<TopicPartition>>? Revoked;

    /// <summary>Total offsets committed to Kafka by this session (for metrics and tests).</summary>
    public long CommitCount { get; private set; }

    /// <summary>Partitions currently assigned.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return _partitions.Keys.ToArray();
            }
        }
    }

    /// <summary>The consumer's link to the cluster, from its latest statistics report; null before the first one.</summary>
    public ConsumerHealth? Health => _health.Current;

    private readonly ConsumerHealthTracker _health = new(TimeProvider.System);

    internal void OnStatistics(string json) => _health.OnStatistics(json);

    /// <summary>Commits that failed (each is retried by the next commit).</summary>
    public long CommitFailures { get; private set; }

    /// <summary>
    /// Per assigned partition, how many records the broker holds beyond what this node has finished (acknowledged),
    /// or, before the first acknowledgement, beyond the consumer's position. Uses the high watermark librdkafka caches
    /// from its fetches, so it costs no round trip; a partition whose position is not known yet is left out.
    /// </summary>
    public IReadOnlyList<PartitionLag> Lag()
    {
        lock (_gate)
        {
            if (_consumer is null || _closed)
            {
                return [];
            }

            var lags = new List<PartitionLag>(_partitions.Count);
            foreach (var (partition, track) in _partitions)
            {
                long high, done;
                try
                {
                    high = _consumer.GetWatermarkOffsets(partition).High.Value;
                    done = track.Committable >= 0 ? track.Committable : _consumer.Position(partition).Value;
                }
                catch (KafkaException)
                {
                    continue; // not known yet (no fetch so far)
                }

                if (high >= 0 && done >= 0)
                {
                    lags.Add(new PartitionLag(partition.Topic, partition.Partition.Value, Math.Max(0, high - done)));
                }
            }

            return lags;
        }
    }

    internal IConsumer<byte[]?, byte[]?> Consumer => _consumer ?? throw new InvalidOperationException("Consumer not started.");

    internal void Attach(IConsumer<byte[]?, byte[]?> consumer) => _consumer = consumer;

    /// <summary>Called by the source for each record before it is emitted.</summary>
    internal CommittableOffset? Register(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(partition, out var track))
            {
                // Fetched before a revocation that ran in the same poll: not ours any more.
                return null;
            }

            track.InFlight.Enqueue(offset);
            // The track's TopicPartition, not the caller's: a consume result makes a new one each time it is asked,
            // and every record in flight would keep its own.
            return new CommittableOffset(this, track.Partition, offset, track.Generation);
        }
    }

    /// <summary>Marks an offset as done: all outputs of its record are acknowledged.</summary>
    public void Acknowledge(CommittableOffset offset)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(offset.TopicPartition, out var track) || track.Generation != offset.Generation)
            {
                return; // revoked since: the new owner re-reads it (at-least-once), we must not commit it
            }

            track.Acknowledge(offset.Offset);
        }
    }

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
    /// shares its thread with the rest of the stream. The stream stood still for every commit's round trip before
    /// (eight a second at 40,000 msg/s, and the source waited on the lock meanwhile). Asked for while one runs, one more
    /// runs after it (with the offsets acknowledged by then); never more than one at a time.
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

    internal void OnAssigned(IReadOnlyList<TopicPartition> partitions)
    {
        var generations = new List<(TopicPartition Partition, int Generation)>(partitions.Count);
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                var track = new PartitionTrack(++_nextGeneration, partition);
                _partitions[partition] = track;
                generations.Add((partition, track.Generation));
            }
        }

        // Outside the lock: the end offsets are a round trip each, and commits must not wait for them.
        _listener?.OnAssigned(generations.Select(g => (g.Partition, g.Generation, EndOffset(g.Partition))).ToList());
        Assigned?.Invoke(partitions);
    }

    internal void OnRevoked(IReadOnlyList<TopicPartition> partitions, bool lost)
    {
        // After any commit in flight (so that this one is the last for these partitions here), and before the new owner
        // starts reading.
        lock (_commitGate)
        {
            List<TopicPartitionOffset>? offsets = null;
            lock (_gate)
            {
                if (!lost && _consumer is not null && !_closed)
                {
                    // Still the owner until this callback returns: last chance to commit what is done.
                    offsets = CommittableLocked(partitions);
                }
            }

            if (offsets is not null)
            {
                Commit(offsets);
            }

            lock (_gate)
            {
                foreach (var partition in partitions)
                {
                    _partitions.Remove(partition);
                }
            }
        }

        _listener?.OnRevoked(partitions);
        Revoked?.Invoke(partitions);
    }

    /// <summary>One round trip to the partition's leader, inside the assignment callback; -1 when it does not answer.</summary>
    private long EndOffset(TopicPartition partition)
    {
        try
        {
            return _consumer?.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(5)).High.Value ?? -1;
        }
        catch (KafkaException e)
        {
            _log($"end offset of {partition}: {e.Error.Reason}");
            return -1;
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

    /// <summary>Leaves the group (revoking, and so committing, what is acknowledged) and frees the consumer.</summary>
    public void Dispose()
    {
        IConsumer<byte[]?, byte[]?>? consumer;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            consumer = _consumer;
        }

        if (consumer is null)
        {
            return;
        }

        try
        {
            consumer.Close();
        }
        catch (KafkaException e)
        {
            _log($"consumer close: {e.Error.Reason}");
        }
        finally
        {
            lock (_gate)
            {
                _closed = true;
            }

            lock (_commitGate)
            {
                consumer.Dispose(); // after a background commit that was under way
            }
        }
    }

    private sealed class PartitionTrack(int generation, TopicPartition partition)
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
}

/// <summary>Records waiting in one partition beyond what this consumer has finished.</summary>
public readonly record struct PartitionLag(string Topic, int Partition, long Records);

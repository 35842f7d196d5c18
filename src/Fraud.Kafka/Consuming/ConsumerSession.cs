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
public sealed partial class ConsumerSession : IDisposable
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
                    _held.TryRemove(partition, out _);
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
}

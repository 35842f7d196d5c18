using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Consuming;

/// <summary>Factories of Kafka sources.</summary>
public static class KafkaConsumer
{
    /// <summary>
    /// A source of records with committable offsets. The consumer is polled on a thread of its own, only when
    /// downstream demands, and at most one batch (<see cref="ConsumerSettings.MaxBatch"/>) waits in the stage.
    /// Materializes the <see cref="IConsumerControl"/> that stops it and, after the stream has drained, closes the
    /// consumer.
    /// </summary>
    public static Source<CommittableRecord, IConsumerControl> CommittableSource(
        KafkaSettings kafka, IReadOnlyCollection<string> topics, ConsumerSettings? settings = null, string? groupId = null)
    {
        var config = kafka.ToConsumerConfig(groupId);
        // The session's health comes from librdkafka's statistics; a configured interval (0: none) is left as it is.
        config.StatisticsIntervalMs ??= 1000;
        return Source.FromGraph(new CommittableSourceStage(config, topics, settings ?? new ConsumerSettings()));
    }
}

/// <summary>Stops a consumer source, and closes its consumer once the stream has finished committing.</summary>
public interface IConsumerControl
{
    /// <summary>The consumer behind the source: commit state, assignment, events.</summary>
    ConsumerSession Session { get; }

    /// <summary>Completes the source: no new records; those already emitted continue downstream.</summary>
    void Stop();

    /// <summary>
    /// Graceful end: stop emitting, wait until <paramref name="streamCompletion"/> (the committer's task) finishes,
    /// run <paramref name="beforeClose"/> (say, make external state durable, see <see cref="ConsumerSettings.CommitLimit"/>),
    /// then leave the group, which commits what was acknowledged.
    /// </summary>
    Task DrainAndShutdownAsync(Task streamCompletion, Func<Task>? beforeClose = null);
}

internal sealed class CommittableSourceStage : GraphStageWithMaterializedValue<SourceShape<CommittableRecord>, IConsumerControl>
{
    private readonly Outlet<CommittableRecord> _out = new("kafka.committable.out");
    private readonly ConsumerConfig _config;
    private readonly IReadOnlyCollection<string> _topics;
    private readonly ConsumerSettings _settings;

    public CommittableSourceStage(ConsumerConfig config, IReadOnlyCollection<string> topics, ConsumerSettings settings)
    {
        _config = config;
        _topics = topics;
        _settings = settings;
    }

    public override SourceShape<CommittableRecord> Shape => new(_out);

    protected override Attributes InitialAttributes => Attributes.CreateName("kafka-committable-source");

    public override ILogicAndMaterializedValue<IConsumerControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<IConsumerControl>(logic, logic);
    }

    private sealed class Logic : GraphStageLogic, IConsumerControl
    {
        private readonly CommittableSourceStage _stage;
        private readonly Queue<CommittableRecord> _buffer = new();
        private PollingThread? _poller;
        private ILoggingAdapter? _log;
        private Action? _stopCallback;
        private bool _requested;
        private bool _draining;

        public Logic(CommittableSourceStage stage) : base(stage.Shape)
        {
            _stage = stage;
            // librdkafka calls back on the polling thread: use the adapter captured in PreStart, never the lazy property.
            Session = new ConsumerSession(message => _log?.Warning("kafka consumer: {0}", message), stage._settings.CommitLimit, stage._settings.Listener);
            SetHandler(stage._out, onPull: OnPull, onDownstreamFinish: _ => CompleteStage());
        }

        public ConsumerSession Session { get; }

        public override void PreStart()
        {
            _log = Log;
            _stopCallback = GetAsyncCallback(CompleteStage);
            var onBatch = GetAsyncCallback<List<CommittableRecord>>(OnBatch);
            var onFailure = GetAsyncCallback<Exception>(FailStage);
            Librdkafka.EnsureLoaded();
            _poller = new PollingThread(_stage, Session, _log, onBatch, onFailure);
            _poller.Start();
        }

        public override void PostStop()
        {
            if (!_draining)
            {
                // Failure or cancellation: nobody will commit any more; leave the group now.
                _poller?.StopAndJoin();
                Session.Dispose();
            }
        }

        public void Stop() => _stopCallback?.Invoke();

        public async Task DrainAndShutdownAsync(Task streamCompletion, Func<Task>? beforeClose = null)
        {
            _draining = true;
            Stop();
            try
            {
                await streamCompletion.ConfigureAwait(false);
                if (beforeClose is not null)
                {
                    await beforeClose().ConfigureAwait(false);
                }
            }
            finally
            {
                await Task.Run(() =>
                {
                    _poller?.StopAndJoin();
                    Session.Dispose();
                }).ConfigureAwait(false);
            }
        }

        private void OnPull()
        {
            if (_buffer.Count > 0)
            {
                Push(_stage._out, _buffer.Dequeue());
            }

            RequestIfEmpty();
        }

        private void OnBatch(List<CommittableRecord> batch)
        {
            _requested = false;
            foreach (var record in batch)
            {
                _buffer.Enqueue(record);
            }

            if (IsAvailable(_stage._out) && _buffer.Count > 0)
            {
                Push(_stage._out, _buffer.Dequeue());
            }

            RequestIfEmpty();
        }

        private void RequestIfEmpty()
        {
            // Ask for the next batch as the last buffered record leaves, so polling overlaps processing.
            if (_buffer.Count == 0 && !_requested)
            {
                _requested = true;
                _poller!.Request();
            }
        }
    }

    /// <summary>
    /// Owns every consumer call but the (thread-safe) commit: poll, pause/resume and the rebalance callbacks,
    /// which librdkafka runs inside poll.
    /// </summary>
    private sealed class PollingThread
    {
        private readonly CommittableSourceStage _stage;
        private readonly ConsumerSession _session;
        private readonly ILoggingAdapter _log;
        private readonly Action<List<CommittableRecord>> _onBatch;
        private readonly Action<Exception> _onFailure;
        private readonly SemaphoreSlim _demand = new(0, 1);
        private readonly Thread _thread;
        private volatile bool _stopping;
        private bool _assignmentChanged;

        public PollingThread(CommittableSourceStage stage, ConsumerSession session, ILoggingAdapter log,
            Action<List<CommittableRecord>> onBatch, Action<Exception> onFailure)
        {
            _stage = stage;
            _session = session;
            _log = log;
            _onBatch = onBatch;
            _onFailure = onFailure;
            _thread = new Thread(Run) { IsBackground = true, Name = "kafka-poll" };
        }

        public void Start() => _thread.Start();

        public void Request() => _demand.Release();

        public void StopAndJoin()
        {
            _stopping = true;
            if (_thread.IsAlive && _thread != Thread.CurrentThread)
            {
                _thread.Join();
            }
        }

        private void Run()
        {
            try
            {
                var consumer = Build();
                _session.Attach(consumer);
                consumer.Subscribe(_stage._topics);
                var paused = false;
                while (!_stopping)
                {
                    if (!_demand.Wait(_stage._settings.KeepAliveInterval))
                    {
                        // Backpressured: keep the group membership alive without taking records we cannot emit.
                        if (!paused)
                        {
                            consumer.Pause(consumer.Assignment);
                            paused = true;
                        }

                        var stray = consumer.Consume(TimeSpan.Zero);
                        if (stray is not null)
                        {
                            consumer.Seek(stray.TopicPartitionOffset); // fetch it again later, never skip it
                        }

                        ReapplyPauseAfterRebalance(consumer, paused);
                        continue;
                    }

                    if (paused)
                    {
                        consumer.Resume(consumer.Assignment);
                        paused = false;
                    }

                    ReapplyPauseAfterRebalance(consumer, paused);

                    var batch = PollBatch(consumer);
                    if (batch is null)
                    {
                        return;
                    }

                    _onBatch(batch);
                }
            }
            catch (Exception e)
            {
                _onFailure(e);
            }
        }

        /// <summary>
        /// librdkafka keeps a partition's paused flag across a rebalance, and a Pause or Resume issued between a
        /// revocation and the next assignment reaches no partition. Without this, a partition revoked while paused and
        /// assigned back while resumed would stay paused for good: never read again, its lag growing forever. So after
        /// every assignment (the callback runs inside Consume, on this thread) the intended state is applied again.
        /// </summary>
        private void ReapplyPauseAfterRebalance(IConsumer<byte[]?, byte[]?> consumer, bool paused)
        {
            if (!_assignmentChanged)
            {
                return;
            }

            _assignmentChanged = false;
            if (paused)
            {
                consumer.Pause(consumer.Assignment);
            }
            else
            {
                consumer.Resume(consumer.Assignment);
            }
        }

        /// <summary>Waits for a first record, then takes what is ready, up to MaxBatch. Null when stopping.</summary>
        private List<CommittableRecord>? PollBatch(IConsumer<byte[]?, byte[]?> consumer)
        {
            var batch = new List<CommittableRecord>();
            while (batch.Count == 0)
            {
                if (_stopping)
                {
                    return null;
                }

                var timeout = _stage._settings.PollTimeout;
                while (batch.Count < _stage._settings.MaxBatch)
                {
                    ConsumeResult<byte[]?, byte[]?>? result;
                    try
                    {
                        result = consumer.Consume(timeout);
                    }
                    catch (ConsumeException e) when (!e.Error.IsFatal)
                    {
                        _log.Warning("kafka consumer: {0}", e.Error.Reason);
                        break;
                    }

                    // A rebalance inside that Consume may have handed back partitions still paused from before: with
                    // every partition paused this loop would wait here forever, so resume them now (there is demand).
                    ReapplyPauseAfterRebalance(consumer, paused: false);
                    if (result is null)
                    {
                        break;
                    }

                    timeout = TimeSpan.Zero;
                    if (result.IsPartitionEOF)
                    {
                        continue;
                    }

                    var offset = _session.Register(result.TopicPartition, result.Offset.Value);
                    if (offset is not null)
                    {
                        batch.Add(new CommittableRecord(result, offset));
                    }
                }
            }

            return batch;
        }

        private IConsumer<byte[]?, byte[]?> Build() =>
            new ConsumerBuilder<byte[]?, byte[]?>(_stage._config)
                .SetPartitionsAssignedHandler((_, partitions) =>
                {
                    _assignmentChanged = true;
                    _session.OnAssigned(partitions);
                })
                .SetPartitionsRevokedHandler((_, partitions) =>
                    _session.OnRevoked(partitions.Select(p => p.TopicPartition).ToList(), lost: false))
                .SetPartitionsLostHandler((_, partitions) =>
                    _session.OnRevoked(partitions.Select(p => p.TopicPartition).ToList(), lost: true))
                .SetStatisticsHandler((_, json) => _session.OnStatistics(json))
                .SetErrorHandler((_, error) =>
                {
                    if (error.IsFatal)
                    {
                        _onFailure(new KafkaException(error));
                    }
                })
                .SetLogHandler((_, message) =>
                {
                    if (message.Level <= SyslogLevel.Warning)
                    {
                        _log.Warning("librdkafka {0}: {1}", message.Facility, message.Message);
                    }
                })
                .Build();
    }
}

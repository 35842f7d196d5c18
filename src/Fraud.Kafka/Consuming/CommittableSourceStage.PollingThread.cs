using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Consuming;

internal sealed partial class CommittableSourceStage
{
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
                        consumer.Resume(_session.Unheld(consumer.Assignment));
                        paused = false;
                    }

                    ReapplyPauseAfterRebalance(consumer, paused);
                    PauseHeld(consumer);

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
                consumer.Resume(_session.Unheld(consumer.Assignment));
            }
        }

        /// <summary>Pauses the partitions held since the last turn (see <see cref="ConsumerSession.Hold"/>).</summary>
        private void PauseHeld(IConsumer<byte[]?, byte[]?> consumer)
        {
            if (_session.TakeHoldsChanged())
            {
                var held = _session.Held.Intersect(consumer.Assignment).ToList();
                if (held.Count > 0)
                {
                    consumer.Pause(held);
                }

                _session.HoldsPaused(held.Count);
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
                    PauseHeld(consumer);
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

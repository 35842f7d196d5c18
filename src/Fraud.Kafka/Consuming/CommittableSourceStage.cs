using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Confluent.Kafka;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Kafka.Consuming;

/// <summary>The committable source: emits what its polling thread fetched, as downstream demands.</summary>
internal sealed partial class CommittableSourceStage : GraphStageWithMaterializedValue<SourceShape<CommittableRecord>, IConsumerControl>
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
}

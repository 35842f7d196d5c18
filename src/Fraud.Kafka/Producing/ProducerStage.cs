using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Fraud.Kafka.Producing;

/// <summary>
/// The producer flow. Each record is handed to librdkafka with a delivery handler (no <c>Task</c> per record, unlike
/// <c>ProduceAsync</c>); reports come back on librdkafka's thread into a queue, and the stage is woken once per burst of
/// reports, not once per report. Records are emitted in input order, each once its own report is in: a report that
/// arrives early (another partition) waits for the ones before it.
/// </summary>
internal sealed class ProducerStage<T>(IProducer<byte[]?, byte[]?> producer, int maxInFlight)
    : GraphStage<FlowShape<ProducerRecord<T>, DeliveredRecord<T>>>
{
    private readonly Inlet<ProducerRecord<T>> _in = new("kafka-producer.in");
    private readonly Outlet<DeliveredRecord<T>> _out = new("kafka-producer.out");
    private readonly IProducer<byte[]?, byte[]?> _producer = producer;
    private readonly int _maxInFlight = maxInFlight;

    public override FlowShape<ProducerRecord<T>, DeliveredRecord<T>> Shape => new(_in, _out);

    protected override Attributes InitialAttributes => Attributes.CreateName("kafka-producer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    /// <summary>A record between <c>Produce</c> and its emission; <see cref="Report"/> is set on the stage's thread.</summary>
    private sealed class Slot(ProducerRecord<T> record)
    {
        public ProducerRecord<T> Record { get; } = record;

        public DeliveryReport<byte[]?, byte[]?>? Report { get; set; }
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly ProducerStage<T> _stage;
        private readonly Queue<Slot> _inFlight = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<(Slot Slot, DeliveryReport<byte[]?, byte[]?> Report)> _reports = new();
        private Action? _wake;
        private int _woken;

        public Logic(ProducerStage<T> stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: CompleteIfDone);
            SetHandler(stage._out, onPull: Emit);
        }

        public override void PreStart()
        {
            _wake = GetAsyncCallback(OnReports);
            Pull(_stage._in);
        }

        private void OnPush()
        {
            var record = Grab(_stage._in);
            var slot = new Slot(record);
            _inFlight.Enqueue(slot);
            try
            {
                _stage._producer.Produce(record.Topic, record.Message, report => Delivered(slot, report));
            }
            catch (ProduceException<byte[]?, byte[]?> e)
            {
                FailStage(Failure(record.Topic, e.Error));
                return;
            }

            PullIfRoom();
        }

        /// <summary>On librdkafka's thread: queue the report, and wake the stage unless a wake-up is already pending.</summary>
        private void Delivered(Slot slot, DeliveryReport<byte[]?, byte[]?> report)
        {
            _reports.Enqueue((slot, report));
            if (Interlocked.Exchange(ref _woken, 1) == 0)
            {
                _wake!();
            }
        }

        private void OnReports()
        {
            Volatile.Write(ref _woken, 0); // before draining: a report queued from here on wakes the stage again
            while (_reports.TryDequeue(out var delivered))
            {
                delivered.Slot.Report = delivered.Report;
            }

            Emit();
        }

        private void Emit()
        {
            if (_inFlight.Count > 0 && _inFlight.Peek().Report is { } report && IsAvailable(_stage._out))
            {
                var slot = _inFlight.Dequeue();
                if (report.Error.IsError)
                {
                    FailStage(Failure(slot.Record.Topic, report.Error));
                    return;
                }

                Push(_stage._out, new DeliveredRecord<T>(report, slot.Record.PassThrough));
                PullIfRoom();
            }

            CompleteIfDone();
        }

        private void PullIfRoom()
        {
            if (_inFlight.Count < _stage._maxInFlight && !HasBeenPulled(_stage._in) && !IsClosed(_stage._in))
            {
                Pull(_stage._in);
            }
        }

        private void CompleteIfDone()
        {
            if (IsClosed(_stage._in) && _inFlight.Count == 0)
            {
                CompleteStage();
            }
        }

        private static KafkaProducerFatalException Failure(string topic, Error error)
        {
            var kind = error.IsFatal ? "fatal producer error" : "delivery failed";
            return new KafkaProducerFatalException($"Kafka {kind} on topic '{topic}': {error.Code}: {error.Reason}");
        }
    }
}

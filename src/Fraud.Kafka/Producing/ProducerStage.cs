using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Stage;
using Confluent.Kafka;

namespace Fraud.Kafka.Producing;

/// <summary>
/// The producer flow, over groups of records. Each record is handed to librdkafka with a delivery handler (no
/// <c>Task</c> per record, unlike <c>ProduceAsync</c>); reports come back on librdkafka's thread into a queue, and the
/// stage is woken once per burst of reports, not once per report. A group is emitted, in input order, once every one
/// of its records is acknowledged: a group whose reports arrive early waits for the groups before it.
/// </summary>
internal sealed class ProducerStage<T>(IProducer<byte[]?, byte[]?> producer, int maxInFlight)
    : GraphStage<FlowShape<IReadOnlyList<ProducerRecord<T>>, IReadOnlyList<DeliveredRecord<T>>>>
{
    private readonly Inlet<IReadOnlyList<ProducerRecord<T>>> _in = new("kafka-producer.in");
    private readonly Outlet<IReadOnlyList<DeliveredRecord<T>>> _out = new("kafka-producer.out");
    private readonly IProducer<byte[]?, byte[]?> _producer = producer;
    private readonly int _maxInFlight = maxInFlight;

    public override FlowShape<IReadOnlyList<ProducerRecord<T>>, IReadOnlyList<DeliveredRecord<T>>> Shape => new(_in, _out);

    protected override Attributes InitialAttributes => Attributes.CreateName("kafka-producer");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    /// <summary>
    /// A group between <c>Produce</c> and its emission; written only on the stage's thread. It keeps each record's topic
    /// and pass-through, not the record: librdkafka has copied the message by then, and the group waits here for its
    /// acknowledgements, so holding the messages would keep every key and value alive (and promoted by the GC) for
    /// nothing until then.
    /// </summary>
    private sealed class Slot(int count)
    {
        public string[] Topics { get; } = new string[count];

        public T[] PassThroughs { get; } = new T[count];

        public DeliveryReport<byte[]?, byte[]?>?[] Reports { get; } = new DeliveryReport<byte[]?, byte[]?>?[count];

        public long[] AcknowledgedAt { get; } = new long[count];

        public int Count => Topics.Length;

        public int Remaining { get; set; } = count;
    }

    /// <summary>
    /// A record's place (its group's slot and its index there) between <c>Produce</c> and its report, with the handler
    /// librdkafka calls, made once per ticket: a closure per record would be two objects more per record in flight, each
    /// kept until its acknowledgement and so copied by the young collections meanwhile.
    /// </summary>
    private sealed class Ticket
    {
        public Ticket(Logic logic) => Handler = report => logic.Delivered(this, report);

        public Action<DeliveryReport<byte[]?, byte[]?>> Handler { get; }

        public Slot Slot { get; set; } = null!;

        public int Index { get; set; }
    }

    private sealed class Logic : GraphStageLogic
    {
        private readonly ProducerStage<T> _stage;
        private readonly Queue<Slot> _inFlight = new();
        private readonly ConcurrentQueue<(Ticket Ticket, DeliveryReport<byte[]?, byte[]?> Report, long At)> _reports = new();
        // Tickets whose report has come back, for the next records: taken and returned on the stage's thread only.
        private readonly Stack<Ticket> _tickets = new();
        private Action? _wake;
        private int _woken;
        private int _records;

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
            var records = Grab(_stage._in);
            var slot = new Slot(records.Count);
            _inFlight.Enqueue(slot);
            _records += records.Count;
            for (var i = 0; i < records.Count; i++)
            {
                slot.Topics[i] = records[i].Topic;
                slot.PassThroughs[i] = records[i].PassThrough;
                var ticket = _tickets.Count > 0 ? _tickets.Pop() : new Ticket(this);
                ticket.Slot = slot;
                ticket.Index = i;
                try
                {
                    _stage._producer.Produce(records[i].Topic, records[i].Message, ticket.Handler);
                }
                catch (ProduceException<byte[]?, byte[]?> e)
                {
                    FailStage(Failure(records[i].Topic, e.Error));
                    return;
                }
            }

            Emit();
        }

        /// <summary>On librdkafka's thread: queue the report, and wake the stage unless a wake-up is already pending.</summary>
        internal void Delivered(Ticket ticket, DeliveryReport<byte[]?, byte[]?> report)
        {
            _reports.Enqueue((ticket, report, Stopwatch.GetTimestamp()));
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
                var (slot, index) = (delivered.Ticket.Slot, delivered.Ticket.Index);
                delivered.Ticket.Slot = null!;
                _tickets.Push(delivered.Ticket);
                delivered.Report.Message = null!; // the report would keep the message (key and value) alive until emission
                slot.Reports[index] = delivered.Report;
                slot.AcknowledgedAt[index] = delivered.At;
                slot.Remaining--;
            }

            Emit();
        }

        private void Emit()
        {
            if (_inFlight.Count > 0 && _inFlight.Peek().Remaining == 0 && IsAvailable(_stage._out))
            {
                var slot = _inFlight.Dequeue();
                _records -= slot.Count;
                var delivered = new DeliveredRecord<T>[slot.Count];
                for (var i = 0; i < delivered.Length; i++)
                {
                    var report = slot.Reports[i]!;
                    if (report.Error.IsError)
                    {
                        FailStage(Failure(slot.Topics[i], report.Error));
                        return;
                    }

                    delivered[i] = new DeliveredRecord<T>(report, slot.PassThroughs[i], slot.AcknowledgedAt[i]);
                }

                Push(_stage._out, delivered);
            }

            if (_records < _stage._maxInFlight && !HasBeenPulled(_stage._in) && !IsClosed(_stage._in))
            {
                Pull(_stage._in);
            }

            CompleteIfDone();
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

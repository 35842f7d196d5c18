using Confluent.Kafka;
using Fraud.Host.Detection;
using Fraud.Kafka.Native;
using Fraud.Kafka.Settings;

namespace Fraud.Benchmarks.EndToEnd;

/// <summary>
/// The ceiling: a raw Confluent.Kafka consume → produce → commit loop, no actors, no parsing, no stream. Offsets are
/// stored on delivery and auto-committed every second, the cheapest correct at-least-once loop. At most as many records
/// await their acknowledgement as the detector lets (<c>Detector:MaxInFlightPerTopic</c>): with librdkafka's own bound
/// (100,000 messages) the loop read far ahead of its deliveries, and a round's rate, taken from the warm-up's last
/// delivery to the measured input's last, was then mostly the producer draining its queue (rounds of 97,000 to
/// 316,000 msg/s in one run, see RESULTS.md §12).
/// </summary>
public sealed class Passthrough : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _inFlight;
    /// <summary>Latencies kept: a whole latency phase (22 s at up to ~95,000 msg/s).</summary>
    public const int LatencySamples = 1 << 21;

    private readonly double[] _latencies = new double[LatencySamples];
    private volatile bool _stop;
    private long _delivered;
    private long _latencyCount;

    /// <param name="fromEnd">Start at the end of the input (only records written after the assignment), not its start.</param>
    /// <param name="maxInFlight">Records that may await their acknowledgement at once.</param>
    public Passthrough(KafkaSettings kafka, string input, string output, int maxInFlight, bool fromEnd = false)
    {
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        Librdkafka.EnsureLoaded();
        var consumerConfig = kafka.ToConsumerConfig("bench-passthrough-" + Guid.NewGuid().ToString("N"));
        if (fromEnd)
        {
            consumerConfig.AutoOffsetReset = AutoOffsetReset.Latest;
        }

        consumerConfig.EnableAutoCommit = true;
        consumerConfig.AutoCommitIntervalMs = 1000;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(consumerConfig).Build();
        _producer = new ProducerBuilder<byte[]?, byte[]?>(kafka.ToProducerConfig()).Build();
        _consumer.Subscribe(input);
        _thread = new Thread(() => Run(output)) { IsBackground = true, Name = "passthrough" };
        _thread.Start();
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>The group has given this consumer its partitions.</summary>
    public bool Assigned => _consumer.Assignment.Count > 0;

    public void ResetLatencies() => Interlocked.Exchange(ref _latencyCount, 0);

    public double[] Latencies() => DetectorStats.InOrder(_latencies, Interlocked.Read(ref _latencyCount));

    private void Run(string output)
    {
        while (!_stop)
        {
            var record = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (record is null)
            {
                continue;
            }

            var position = new TopicPartitionOffset(record.TopicPartition, record.Offset + 1);
            var sent = record.Message.Timestamp.UtcDateTime;
            while (!_inFlight.Wait(100))
            {
                if (_stop)
                {
                    return;
                }
            }
            while (true)
            {
                try
                {
                    _producer.Produce(output, new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = record.Message.Value }, report =>
                    {
                        _inFlight.Release();
                        if (report.Error.IsError)
                        {
                            return;
                        }

                        _consumer.StoreOffset(position);
                        var index = Interlocked.Increment(ref _latencyCount) - 1;
                        _latencies[index % _latencies.Length] = (DateTime.UtcNow - sent).TotalMilliseconds;
                        Interlocked.Increment(ref _delivered);
                    });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _producer.Flush(TimeSpan.FromSeconds(10));
        _consumer.Close();
        _consumer.Dispose();
        _producer.Dispose();
    }
}

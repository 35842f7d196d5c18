using System.Runtime.InteropServices;
using System.Text;
using Fraud.Kafka.Native;

namespace Fraud.Kafka.Embedded;

/// <summary>
/// A Kafka-protocol broker inside this process, made from librdkafka's mock cluster. It is for trying the product
/// and for tests; production runs on a real Kafka cluster. Its limits (see README): about 5 MiB kept per partition
/// (older records are dropped silently), classic consumer groups only, transactions that do not isolate, no
/// CreateTopics/DeleteTopics through the admin API (topics are created here instead), no persistence.
/// </summary>
public sealed class EmbeddedKafkaBroker : IDisposable
{
    private const int ProducerType = 0;
    private readonly Lock _gate = new();
    private IntPtr _client;
    private IntPtr _cluster;
    private TcpForwarder? _forwarder;

    private EmbeddedKafkaBroker(IntPtr client, IntPtr cluster, string bootstrapServers, TcpForwarder? forwarder)
    {
        _client = client;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
        _forwarder = forwarder;
    }

    /// <summary>What clients connect to, e.g. <c>127.0.0.1:19092</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>
    /// Starts a one-broker mock cluster. With <paramref name="port"/> the broker is reachable and advertised on
    /// that fixed loopback port (the mock itself only binds random ports, so a forwarder bridges the two).
    /// </summary>
    public static EmbeddedKafkaBroker Start(int? port = null, string host = "127.0.0.1")
    {
        Librdkafka.EnsureLoaded();
        var errors = new byte[512];
        var conf = MockCluster.ConfNew();
        // The mock's own handle logs nothing useful to users; keep it quiet.
        MockCluster.ConfSet(conf, "log_level", "3", errors, (UIntPtr)errors.Length);
        IntPtr client, cluster;
        // The handle's threads and the mock's inherit the mask (see SignalMask).
        using (SignalMask.BlockAsynchronous())
        {
            client = MockCluster.KafkaNew(ProducerType, conf, errors, (UIntPtr)errors.Length);
            cluster = client == IntPtr.Zero ? IntPtr.Zero : MockCluster.ClusterNew(client, 1);
        }

        if (client == IntPtr.Zero)
        {
            throw new InvalidOperationException($"Embedded broker: librdkafka refused to start: {Text(errors)}");
        }

        if (cluster == IntPtr.Zero)
        {
            MockCluster.KafkaDestroy(client);
            throw new InvalidOperationException("Embedded broker: librdkafka could not create the mock cluster.");
        }

        // Without this the first consumer of a group waits 3 s for its assignment.
        MockCluster.GroupInitialRebalanceDelayMs(cluster, 0);
        var listening = Marshal.PtrToStringUTF8(MockCluster.ClusterBootstraps(cluster))!;
        if (port is null)
        {
            return new EmbeddedKafkaBroker(client, cluster, listening, null);
        }

        TcpForwarder forwarder;
        try
        {
            forwarder = TcpForwarder.Start(host, port.Value, listening);
        }
        catch
        {
            MockCluster.ClusterDestroy(cluster);
            MockCluster.KafkaDestroy(client);
            throw;
        }

        // Metadata must name the fixed port, or clients would reconnect to the random one behind our back.
        MockCluster.BrokerSetHostPort(cluster, 1, host, forwarder.Port);
        return new EmbeddedKafkaBroker(client, cluster, $"{host}:{forwarder.Port}", forwarder);
    }

    /// <summary>Creates a topic; an existing topic is left as it is.</summary>
    public void CreateTopic(string topic, int partitions)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            var error = MockCluster.TopicCreate(_cluster, topic, partitions, 1);
            // 36 = TOPIC_ALREADY_EXISTS: creating twice is not an error for "ensure" semantics.
            if (error != 0 && error != 36)
            {
                throw new InvalidOperationException($"Embedded broker: cannot create topic '{topic}' (librdkafka error {error}).");
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster == IntPtr.Zero)
            {
                return;
            }

            _forwarder?.Dispose();
            _forwarder = null;
            MockCluster.ClusterDestroy(_cluster);
            MockCluster.KafkaDestroy(_client);
            _cluster = IntPtr.Zero;
            _client = IntPtr.Zero;
        }
    }

    private static string Text(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}

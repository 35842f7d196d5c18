using System.Globalization;
using Fraud.Checkpoints.Tests;
using static Fraud.Host.Tests.ClusterChecks;

namespace Fraud.Host.Tests.MultiHost;

/// <summary>
/// A deployment across test hosts, as compose runs one: the broker on a host of its own, PostgreSQL on another, and
/// detector nodes each on theirs, all alike, finding each other by DNS (<c>Cluster:Discovery=dns</c>: the service name
/// <c>detector</c> resolves to every running node, as Docker's DNS answers for a scaled service). A node that exits by
/// itself is started again on its host, as <c>restart: on-failure</c> does, unless the spec stopped it.
/// </summary>
internal sealed class MultiHostCluster : IAsyncDisposable
{
    public const string Token = "multi-host-spec-token-0123456789";
    public const int Partitions = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    private readonly Dictionary<int, Slot> _slots = new();
    private readonly List<FraudProcess> _everyProcess = [];
    private readonly CancellationTokenSource _stop = new();
    private FraudProcess? _broker;
    private ScratchPostgres? _postgres;
    private string _connectionString = "";

    private MultiHostCluster(TestNetwork network, string scenario)
    {
        Network = network;
        Scenario = scenario;
    }

    public TestNetwork Network { get; }

    public string Scenario { get; }

    public NetHost BrokerHost { get; private set; } = null!;

    public string Bootstrap => $"{BrokerHost.Address}:9092";

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5), DefaultRequestHeaders = { { "Authorization", "Bearer " + Token } } };

    /// <summary>The nodes running now (started, not stopped by the spec), as the cluster checks read them.</summary>
    public IReadOnlyList<Node> Running => _slots.Values.Where(s => s.Wanted && s.Process is { HasExited: false }).Select(s => s.Node!).ToList();

    /// <summary>How many times a node exited by itself and was started again, per node.</summary>
    public IReadOnlyDictionary<int, int> Restarts => _slots.ToDictionary(s => s.Key, s => s.Value.Restarts);

    public static async Task<MultiHostCluster> StartAsync(string scenario)
    {
        var cluster = new MultiHostCluster(await TestNetwork.CreateAsync(), scenario);
        try
        {
            cluster.BrokerHost = await cluster.Network.AddHostAsync("kafka", 2);
            var database = await cluster.Network.AddHostAsync("pg", 3);
            cluster._broker = FraudProcess.Start("fraud.dll", ["broker", "--port", "9092", "--host", cluster.BrokerHost.Address],
                new Dictionary<string, string> { ["Topics__Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture), ["Topics__OutputPartitions"] = "48" },
                cluster.BrokerHost.Namespace);
            cluster._everyProcess.Add(cluster._broker);
            await cluster._broker.WaitForLineAsync("broker: listening on", Patience);
            cluster._postgres = ScratchPostgres.InNamespace(database.Address, database.Namespace);
            await cluster._postgres.InitializeAsync();
            cluster._connectionString = cluster._postgres.ConnectionString;
            _ = cluster.SuperviseAsync(cluster._stop.Token);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts node <paramref name="index"/> on its host (made the first time), after adding it to the service's DNS.</summary>
    public async Task<Node> StartNodeAsync(int index)
    {
        if (!_slots.TryGetValue(index, out var slot))
        {
            slot = new Slot(await Network.AddHostAsync($"n{index}", 10 + index));
            _slots[index] = slot;
        }

        slot.Wanted = true;
        PublishService();
        Launch(index, slot);
        await UntilAsync(async () => await ServingAsync(slot.Node!), $"node-{index} serving its dashboard");
        return slot.Node!;
    }

    private void Launch(int index, Slot slot)
    {
        var host = slot.Host;
        var process = FraudProcess.Start("fraud.dll", ["detect"], new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = Bootstrap,
            ["Kafka__Consumer__fetch.wait.max.ms"] = "10",
            ["Kafka__Consumer__session.timeout.ms"] = "6000",
            ["Kafka__Consumer__heartbeat.interval.ms"] = "1000",
            ["Cluster__Discovery"] = "dns",
            ["Cluster__ServiceName"] = "detector",
            ["Cluster__Hostname"] = "auto",
            ["Cluster__Port"] = "4053",
            ["Cluster__RequiredContactPoints"] = "2",
            ["Cluster__StableMargin"] = "00:00:02",
            ["Cluster__DownUnreachableAfter"] = "00:00:05",
            ["Detector__NodeName"] = $"node-{index}",
            ["Detector__ShutdownTimeout"] = "00:00:15",
            ["Health__KafkaGrace"] = "00:00:05",
            ["Checkpoints__Store"] = "postgres",
            ["Checkpoints__ConnectionString"] = _connectionString,
            ["Dashboard__Urls"] = "http://0.0.0.0:8080",
            ["Dashboard__Token"] = Token,
        }, host.Namespace);
        _everyProcess.Add(process);
        slot.Process = process;
        slot.Node = new Node($"node-{index}", process, $"http://{host.Address}:8080");
    }

    /// <summary>SIGTERM to node <paramref name="index"/>, out of DNS first (as a stopping container leaves it); waits for its exit code.</summary>
    public async Task<int> StopNodeAsync(int index)
    {
        var slot = _slots[index];
        slot.Wanted = false;
        PublishService();
        slot.Process!.Terminate();
        await slot.Process.WaitForExitAsync(TimeSpan.FromSeconds(90));
        return slot.Process.ExitCode;
    }

    public NetHost HostOf(int index) => _slots[index].Host;

    /// <summary>The node the slot holds now (a new process after a restart).</summary>
    public Node NodeAt(int index) => _slots[index].Node!;

    // The service's name answers with every node that should be running, as a scaled compose service's does.
    private void PublishService() => Network.Resolve("detector", _slots.Values.Where(s => s.Wanted).Select(s => s.Host));

    // restart: on-failure. A node downed by the others exits by itself; so does one that cannot reach the broker at start.
    private async Task SuperviseAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            foreach (var (index, slot) in _slots)
            {
                if (slot.Wanted && slot.Process is { HasExited: true })
                {
                    slot.Restarts++;
                    Launch(index, slot);
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task<bool> ServingAsync(Node node)
    {
        try
        {
            return (await Http.GetAsync(node.Url + "/healthz")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Whether <c>/ready</c> of <paramref name="node"/> answers 200 (false when it answers 503 or not at all).</summary>
    public async Task<bool> ReadyAsync(Node node)
    {
        try
        {
            return (await Http.GetAsync(node.Url + "/ready")).IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops every node (SIGTERM), then checks each exited cleanly.</summary>
    public async Task StopAllAsync()
    {
        var running = _slots.Where(s => s.Value.Wanted).Select(s => s.Key).ToList();
        foreach (var index in running)
        {
            _slots[index].Wanted = false;
            _slots[index].Process!.Terminate();
        }

        foreach (var index in running)
        {
            await _slots[index].Process!.WaitForExitAsync(TimeSpan.FromSeconds(90));
            Assert.True(_slots[index].Process!.ExitCode == 0, $"node-{index}: {_slots[index].Process!.Stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        var folder = Path.Combine(FraudProcess.RepositoryRoot(), "artifacts", "cluster");
        Directory.CreateDirectory(folder);
        var n = 0;
        foreach (var process in _everyProcess)
        {
            await process.DisposeAsync();
            File.WriteAllText(Path.Combine(folder, $"multihost-{Scenario}-{n++}.log"), process.Stdout + process.Stderr);
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        Http.Dispose();
        await Network.DisposeAsync();
    }

    private sealed class Slot(NetHost host)
    {
        public NetHost Host { get; } = host;

        public FraudProcess? Process { get; set; }

        public Node? Node { get; set; }

        public bool Wanted { get; set; }

        public int Restarts { get; set; }
    }
}

using Fraud.Actors.Contracts;
using Fraud.Actors.Partitions;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Generator.Running;
using Fraud.Kafka.Settings;
using Microsoft.Extensions.Configuration;

namespace Fraud.Host.Configuration;

/// <summary>The topic names (the seed's) and how many partitions the host creates when a topic is missing.</summary>
public sealed class TopicSettings
{
    public const string SectionName = "Topics";

    public string Input { get; set; } = TopicNames.Input;

    public string Legit { get; set; } = TopicNames.Legit;

    public string Fraud { get; set; } = TopicNames.Fraud;

    public string Review { get; set; } = TopicNames.Review;

    public string DeadLetter { get; set; } = TopicNames.DeadLetter;

    /// <summary>Partitions per topic; also the most detector nodes that can share the input.</summary>
    public int Partitions { get; set; } = 12;

    /// <summary>
    /// Partitions of the output topics the host creates; 0 (the default) means <see cref="Partitions"/>. Outputs keep the
    /// input's key, so more output partitions only spread the same records wider (the embedded broker keeps ~5 MiB each).
    /// </summary>
    public int OutputPartitions { get; set; }

    public short ReplicationFactor { get; set; } = 1;

    /// <summary>The rule topic (compacted, one partition): what every node runs, unless <c>Fraud:Rules:Source</c> is <c>file</c>.</summary>
    public string Rules { get; set; } = TopicNames.Rules;

    /// <summary>The list topic (compacted, one partition).</summary>
    public string Lists { get; set; } = TopicNames.Lists;

    /// <summary>The analysts' decisions on reviews, key = transaction id (compacted, one partition; read whole by every node).</summary>
    public string Decisions { get; set; } = TopicNames.Decisions;

    /// <summary>The topics of transactions and verdicts.</summary>
    public IEnumerable<string> All => [Input, Legit, Fraud, Review, DeadLetter];

    /// <summary>The compacted topics of rules, lists and decisions: one partition each, so each is one sequence of changes.</summary>
    public IEnumerable<string> Compacted => [Rules, Lists, Decisions];

    /// <summary>How many partitions the host gives <paramref name="topic"/> when it creates it.</summary>
    public int PartitionsOf(string topic) => topic == Input || OutputPartitions <= 0 ? Partitions : OutputPartitions;
}

/// <summary>How the detector runs.</summary>
public sealed class DetectorSettings
{
    public const string SectionName = "Detector";

    /// <summary>Transactions scored at once (across accounts; each account stays sequential).</summary>
    public int Parallelism { get; set; } = 256;

    /// <summary>
    /// The most records in one group through the detector graph, and so in one message to a partition's accounts. Groups
    /// form only under load (while the next stage is busy), so they add no wait to a quiet stream.
    /// </summary>
    public int ScoreBatch { get; set; } = Fraud.Actors.Detection.DetectorGraph.DefaultBatchSize;

    /// <summary>Records awaiting broker acknowledgement per output topic.</summary>
    public int MaxInFlightPerTopic { get; set; } = 4096;

    /// <summary>
    /// How long a partition's actor may take to answer before the stream fails (and restarts from the last commit).
    /// It includes restoring the partition from the checkpoint store after a rebalance, which a busy store can stretch.
    /// </summary>
    public TimeSpan ScoreTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Commit after this many acknowledged records...</summary>
    public int CommitBatch { get; set; } = 5000;

    /// <summary>...or after this long, whichever comes first.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound on a graceful stop (drain, commit, leave).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Name written into verdicts; defaults to the machine name.</summary>
    public string? NodeName { get; set; }
}

/// <summary>Akka.Cluster membership of this node.</summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Cluster";

    /// <summary>
    /// The address other nodes reach this one at; <c>auto</c>: this host's own address (a container's IP), what a node
    /// in a container or a pod advertises.
    /// </summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port (fine for a single node).</summary>
    public int Port { get; set; }

    /// <summary>
    /// How a node finds the others: <c>seeds</c> (<see cref="SeedNodes"/>; none: a cluster of its own), or Cluster
    /// Bootstrap over a discovery: <c>config</c> (<see cref="ContactPoints"/>), <c>kubernetes</c> (the pods of
    /// <see cref="PodLabelSelector"/>), <c>dns</c> (every address <see cref="ServiceName"/> resolves to).
    /// </summary>
    public string Discovery { get; set; } = "seeds";

    /// <summary>Seed node addresses (<c>seeds</c>); empty means this node forms a cluster of its own.</summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>The service discovery looks up: a compose service, a Kubernetes app label, a DNS name.</summary>
    public string ServiceName { get; set; } = "detector";

    /// <summary>Where Akka.Management answers the other nodes' probes during bootstrap.</summary>
    public int ManagementPort { get; set; } = 8558;

    /// <summary><c>config</c>: the nodes' management endpoints, <c>host</c> or <c>host:port</c>.</summary>
    public string[] ContactPoints { get; set; } = [];

    /// <summary>
    /// How many nodes discovery must see before the lowest-addressed forms a new cluster. 1 lets a single node start; set
    /// it to the initial number of nodes where they all start at once, so that no two form clusters of their own.
    /// </summary>
    public int RequiredContactPoints { get; set; } = 1;

    /// <summary>How long what discovery sees must stay the same before a node forms or joins.</summary>
    public TimeSpan StableMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>kubernetes</c>: the pods to look for; <c>{0}</c> is <see cref="ServiceName"/>.</summary>
    public string PodLabelSelector { get; set; } = "app={0}";

    public static readonly string[] Discoveries = ["seeds", "config", "kubernetes", "dns"];

    public bool UsesBootstrap => !Discovery.Equals("seeds", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with these settings, in one line, or null.</summary>
    public string? Problem() =>
        !Discoveries.Contains(Discovery, StringComparer.OrdinalIgnoreCase) ? $"Cluster:Discovery is {string.Join(", ", Discoveries)}, not '{Discovery}'"
        : UsesBootstrap && SeedNodes.Length > 0 ? $"Cluster:SeedNodes are for Cluster:Discovery=seeds; with {Discovery} the nodes find each other"
        : Discovery.Equals("config", StringComparison.OrdinalIgnoreCase) && ContactPoints.Length == 0 ? "Cluster:Discovery=config needs Cluster:ContactPoints (the nodes' host:port)"
        : RequiredContactPoints < 1 ? "Cluster:RequiredContactPoints is at least 1"
        : UsesBootstrap && ManagementPort is < 1 or > 65535 ? "Cluster:ManagementPort is a port (1-65535)"
        : null;

    /// <summary>How this node finds the others, for a log line.</summary>
    public string Describe() => Discovery.ToLowerInvariant() switch
    {
        "seeds" => SeedNodes.Length == 0 ? "itself" : $"seed nodes {string.Join(", ", SeedNodes)}",
        "config" => $"contact points {string.Join(", ", ContactPoints)}",
        "kubernetes" => $"pods {string.Format(System.Globalization.CultureInfo.InvariantCulture, PodLabelSelector, ServiceName)}",
        _ => $"the addresses of {ServiceName}",
    };

    /// <summary>
    /// The split-brain resolver (keep-majority) downs a member unreachable this long. Kafka moves a dead node's
    /// partitions after its session timeout regardless; this bounds how long a replacement waits to become Up.
    /// </summary>
    public TimeSpan DownUnreachableAfter { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>The web endpoints every detector process serves: dashboard, <c>/metrics</c>, <c>/healthz</c>, <c>/ready</c>.</summary>
public sealed class DashboardSettings
{
    public const string SectionName = "Dashboard";

    /// <summary>Where Kestrel listens (<c>;</c>-separated). Port 0 picks a free port; the address is printed at start-up.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Fraud verdicts kept for the dashboard's list and filters (a fixed ring; older ones drop out).</summary>
    public int RecentVerdicts { get; set; } = 1000;

    /// <summary>End-to-end latencies kept for the percentiles (a fixed ring of the latest; 8 bytes each).</summary>
    public int LatencySamples { get; set; } = Detection.DetectorStats.DefaultLatencySamples;

    /// <summary>Seconds of per-second history a newly opened dashboard starts its charts with.</summary>
    public int HistorySeconds { get; set; } = 120;

    /// <summary>
    /// The token every endpoint but <c>/healthz</c> and <c>/ready</c> asks for (<c>Authorization: Bearer</c>, or the
    /// dashboard's login form); empty: no token, which only a loopback address may serve (see <see cref="AllowAnonymous"/>).
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// The token that changes rules and lists through <c>/api/rules</c> and <c>/api/lists</c>; empty: <see cref="Token"/>
    /// does. With neither set, the admin API refuses every change.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary><c>/metrics</c> without the token (a Prometheus that scrapes without credentials).</summary>
    public bool MetricsAnonymous { get; set; }

    /// <summary>Serve without a token on an address other than loopback (behind a proxy that authenticates, say).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Bytes of one JSON answer of the API (a list stops short of it, and says where to go on).</summary>
    public int MaxResponseBytes { get; set; } = 256 * 1024;
}

/// <summary>How <c>/ready</c> judges the node's link to Kafka.</summary>
public sealed class HealthSettings
{
    public const string SectionName = "Health";

    /// <summary>
    /// How long the node may go without an answer from the brokers, or out of its consumer group, before <c>/ready</c>
    /// says 503 (a rebalance or a broker's restart takes seconds; an outage longer than this is one).
    /// </summary>
    public TimeSpan KafkaGrace { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Where partitions' account states are checkpointed, so that they survive a node.</summary>
public sealed class CheckpointSettings
{
    public const string SectionName = "Checkpoints";

    /// <summary>
    /// <c>sqlite</c>, <c>postgres</c> or <c>memory</c>; <c>auto</c> is <c>memory</c> when this process runs the
    /// embedded broker (which keeps nothing either) and <c>sqlite</c> otherwise.
    /// </summary>
    public string Store { get; set; } = "auto";

    /// <summary>ADO.NET connection string of the store (a file path for SQLite, host/database/user for PostgreSQL).</summary>
    public string ConnectionString { get; set; } = "Data Source=fraud-checkpoints.db";
}

/// <summary>Every setting, bound once from configuration (appsettings.json, then FRAUD-independent env such as Kafka__BootstrapServers).</summary>
public sealed class FraudSettings
{
    public KafkaSettings Kafka { get; init; } = new();

    public TopicSettings Topics { get; init; } = new();

    public DetectorSettings Detector { get; init; } = new();

    public ClusterSettings Cluster { get; init; } = new();

    public RuleSettings Rules { get; init; } = new();

    public AccountSettings Accounts { get; init; } = new();

    public CheckpointSettings Checkpoints { get; init; } = new();

    public GeneratorOptions Generator { get; init; } = new();

    public DashboardSettings Dashboard { get; init; } = new();

    public RecordLimits Limits { get; init; } = new();

    public HealthSettings Health { get; init; } = new();

    public Fraud.Host.Reviews.ReviewSettings Reviews { get; init; } = new();

    /// <summary><c>Logging:Format</c>: <c>json</c> for one JSON object per line, anything else for readable text.</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>appsettings.json next to the program, then environment variables (<c>Section__Key</c>).</summary>
    public static IConfigurationRoot LoadConfiguration(IEnumerable<KeyValuePair<string, string?>>? overrides = null) =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? [])
            .Build();

    public static FraudSettings Bind(IConfiguration configuration)
    {
        var settings = new FraudSettings();
        configuration.GetSection(KafkaSettings.SectionName).Bind(settings.Kafka);
        configuration.GetSection(TopicSettings.SectionName).Bind(settings.Topics);
        configuration.GetSection(DetectorSettings.SectionName).Bind(settings.Detector);
        configuration.GetSection(ClusterSettings.SectionName).Bind(settings.Cluster);
        if (settings.Cluster.Problem() is { } clusterProblem)
        {
            throw new Hosting.StartupException(clusterProblem);
        }

        configuration.GetSection("Fraud:Accounts").Bind(settings.Accounts);
        configuration.GetSection(GeneratorOptions.SectionName).Bind(settings.Generator);
        configuration.GetSection(DashboardSettings.SectionName).Bind(settings.Dashboard);
        configuration.GetSection(CheckpointSettings.SectionName).Bind(settings.Checkpoints);
        configuration.GetSection(RecordLimits.SectionName).Bind(settings.Limits);
        configuration.GetSection(HealthSettings.SectionName).Bind(settings.Health);
        configuration.GetSection(Fraud.Host.Reviews.ReviewSettings.SectionName).Bind(settings.Reviews);
        if (settings.Limits.Problem() is { } problem)
        {
            throw new Hosting.StartupException(problem);
        }
        settings.LogFormat = configuration["Logging:Format"] ?? settings.LogFormat;

        var rules = configuration.GetSection(RuleSettings.SectionName);
        rules.Bind(settings.Rules);
        if (RetiredRuleSetting(rules) is { } retired)
        {
            throw new Hosting.StartupException(retired);
        }

        return settings;
    }

    public string NodeName => Detector.NodeName ?? Environment.MachineName;

    /// <summary>
    /// A rule's parameters set the old way (<c>Fraud:Rules:large-amount:Threshold</c>): rules are a file now, and a
    /// setting that silently did nothing would leave a threshold where the operator thinks it moved.
    /// </summary>
    private static string? RetiredRuleSetting(IConfigurationSection rules)
    {
        foreach (var section in rules.GetChildren())
        {
            if (section.GetChildren().FirstOrDefault() is { } key)
            {
                return $"{section.Path}:{key.Key} is no longer read: rules live in a rule file now; change the rule in "
                    + $"{RuleSettings.DefaultFile} (or a copy named by Fraud:Rules:File), e.g. 'rule {section.Key}: block when ...' (docs/rules.md)";
            }
        }

        return null;
    }
}

using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Fraud.Actors.Partitions;
using Fraud.Actors.Checkpoints;
using Fraud.Checkpoints;
using Fraud.Host.Configuration;
using Fraud.Host.Dashboard;
using Fraud.Host.Detection;
using Fraud.Host.Logging;
using Fraud.Host.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fraud.Host.Hosting;

/// <summary>
/// One detector node: a web host (dashboard, metrics, health) that holds the actor system (cluster member, account
/// shards), plus the Kafka pipeline. Started by <c>fraud detect</c> and <c>fraud demo</c>. Stopping is two steps, so
/// that the demo can summarize in between: <see cref="StopPipelineAsync"/> drains and commits;
/// <see cref="DisposeAsync"/> then leaves the cluster and closes the web server.
/// </summary>
public sealed class DetectorNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NodeRuntime _runtime;
    private readonly IDisposable? _store;
    private readonly CancellationTokenSource _stopMonitor = new();
    private Task _monitor = Task.CompletedTask;
    private bool _pipelineStopped;

    private DetectorNode(WebApplication app, NodeRuntime runtime, string dashboardUrl, IDisposable? store)
    {
        _app = app;
        _store = store;
        _runtime = runtime;
        DashboardUrl = dashboardUrl;
    }

    public DetectorStats Stats => _runtime.Stats;

    public KafkaDetector Pipeline => _runtime.Pipeline!;

    /// <summary>
    /// Whether the actor system ended while the node ran: the cluster downed this node (it was unreachable for
    /// <c>Cluster:DownUnreachableAfter</c>, or on the minority side of a partition). It cannot rejoin as the same member;
    /// a restart makes a new one.
    /// </summary>
    public bool LeftCluster => _runtime.System?.WhenTerminated.IsCompleted == true;

    /// <summary>The dashboard's address as bound (a port of 0 in the settings is resolved here).</summary>
    public string DashboardUrl { get; }

    public static async Task<DetectorNode> StartAsync(FraudSettings settings, KafkaConnection kafka, CancellationToken cancel)
    {
        if (DashboardSecurity.Problem(settings.Dashboard) is { } problem)
        {
            throw new StartupException(problem);
        }

        if (settings.Rules.Source is not { } source || !(source.Equals("topics", StringComparison.OrdinalIgnoreCase) || source.Equals("file", StringComparison.OrdinalIgnoreCase)))
        {
            throw new StartupException($"Fraud:Rules:Source is 'topics' (the rule topics every node follows) or 'file' (Fraud:Rules:File, read at start), not '{settings.Rules.Source}'");
        }

        if (!settings.Rules.FromTopics)
        {
            settings.Rules.UsePack(settings.Rules.Pack ?? RuleFiles.Load(settings.Rules));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        string[] urls = [.. settings.Dashboard.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        if (settings.Cluster.UsesBootstrap)
        {
            urls = [.. urls, $"http://0.0.0.0:{settings.Cluster.ManagementPort}"]; // the other nodes probe it while the cluster forms
        }

        builder.WebHost.UseUrls(urls);
        // Program owns SIGTERM/Ctrl+C: the stream must drain before the actor system stops, so the host must not
        // stop itself on a signal (its default console lifetime would).
        builder.Services.AddSingleton<IHostLifetime, SignalAgnosticLifetime>();
        builder.Logging.AddNodeConsole(settings.NodeName, settings.LogFormat.Equals("json", StringComparison.OrdinalIgnoreCase), SecretRedactor.For(settings));
        var stats = new DetectorStats(recentVerdicts: settings.Dashboard.RecentVerdicts, latencySamples: settings.Dashboard.LatencySamples);
        var runtime = new NodeRuntime(settings, stats, new LiveFeed(stats, settings.Dashboard.HistorySeconds));
        runtime.Kafka = kafka.Settings;
        builder.Services.AddSingleton(runtime);
        var store = CheckpointStores.Create(settings.Checkpoints, kafka.IsEmbedded);
        var durable = new DurableOffsets();
        var accounts = new PartitionContext(kafka.Settings.GroupId, store, durable, settings.Rules, settings.Accounts, settings.NodeName, new AccountCounter(), TimeProvider.System, runtime.PartitionHealth);
        builder.Services.AddAkka("fraud", akka => akka
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory();
            })
            .WithFraudCluster(settings.Cluster)
            .WithOwnedPartitions(accounts));
        var app = builder.Build();
        app.MapBootstrapContactPoint(settings.Cluster);
        app.MapDashboard();
        try
        {
            await app.StartAsync(cancel);
        }
        catch (IOException e)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            throw new StartupException($"dashboard: cannot listen on {settings.Dashboard.Urls} ({e.Message.TrimEnd('.')}); set --urls or Dashboard__Urls");
        }

        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? settings.Dashboard.Urls;
        var node = new DetectorNode(app, runtime, url, store as IDisposable);
        Console.WriteLine($"dashboard: {url}");
        var system = app.Services.GetRequiredService<ActorSystem>();
        runtime.System = system;
        var region = await app.Services.GetRequiredService<ActorRegistry>().GetAsync<OwnedPartitionsKey>(cancel);
        runtime.Partitions = region;
        runtime.ClusterView = system.ActorOf(ClusterView.Props(region, settings.NodeName, () => (settings.Rules.Pack?.Version?.ToString(), runtime.RuleTopics?.Problem)), ClusterView.Name);
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var hostLog = loggers.CreateLogger("Fraud.Host");
        // Consume only as an Up member. Joining waits while a dead member is still unreachable (until it is downed),
        // however long that takes; /ready says so meanwhile, and SIGTERM ends the wait.
        var up = AkkaSetup.WhenUpAsync(system);
        while (await Task.WhenAny(up, Task.Delay(TimeSpan.FromSeconds(10), cancel)) != up)
        {
            if (cancel.IsCancellationRequested)
            {
                await node.DisposeHostAsync();
                throw new OperationCanceledException(cancel);
            }

            hostLog.LogInformation("waiting to become an Up member of the cluster (finding the others by {Discovery})", settings.Cluster.Describe());
        }

        if (settings.Rules.FromTopics)
        {
            // Before the first record: a node scores only with the rule set every node reads from the topics.
            runtime.RuleTopics = Rules.RuleTopicFollower.Start(kafka.Settings, settings, loggers.CreateLogger("Fraud.Rules"), cancel);
        }

        if (settings.Reviews.Enabled)
        {
            try
            {
                runtime.Reviews = Reviews.ReviewQueue.Start(kafka.Settings, settings, loggers.CreateLogger("Fraud.Reviews"));
            }
            catch (StartupException e)
            {
                // Scoring does not depend on it: the node detects, and its Reviews page says the queue is off.
                hostLog.LogWarning("review queue off: {Problem}", e.Message);
            }
        }

        var kafkaLog = loggers.CreateLogger("Fraud.Kafka");
        runtime.Pipeline = KafkaDetector.Start(system, region, durable, runtime.PartitionHealth, kafka.Settings, settings, stats, message => kafkaLog.LogWarning("{Message}", message));
        var session = runtime.Pipeline.Session;
        session.Assigned += partitions => kafkaLog.LogInformation("partitions assigned: {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
        session.Revoked += partitions => kafkaLog.LogInformation("partitions revoked: {Partitions}", string.Join(",", partitions.Select(p => p.Partition.Value)));
        hostLog.LogInformation("detector started: consuming {Topic}, rules {Rules}, checkpoints {Store}, dashboard at {Url}",
            settings.Topics.Input, RuleFiles.Describe(settings.Rules.Pack!), CheckpointStores.Describe(store, settings.Checkpoints), url);
        node._monitor = node.MonitorAsync(node._stopMonitor.Token);
        return node;
    }

    /// <summary>Stops consuming, finishes what is in flight and commits (bounded by the shutdown timeout).</summary>
    public async Task StopPipelineAsync()
    {
        if (_pipelineStopped)
        {
            return;
        }

        _pipelineStopped = true;
        await _runtime.Pipeline!.DisposeAsync();
        _runtime.Feed.Tick(); // the last second, so that the dashboard ends on the final counts
    }

    public async ValueTask DisposeAsync()
    {
        if (_runtime.Pipeline is not null)
        {
            await StopPipelineAsync();
        }

        await _stopMonitor.CancelAsync();
        await _monitor;
        if (_runtime.RuleTopics is { } topics)
        {
            await topics.DisposeAsync();
        }

        if (_runtime.Reviews is { } reviews)
        {
            await reviews.DisposeAsync();
        }

        await DisposeHostAsync();
    }

    /// <summary>Stopping the host runs Akka's coordinated shutdown (leave the cluster) and closes Kestrel.</summary>
    private async Task DisposeHostAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(15));
        await _app.DisposeAsync();
        _store?.Dispose();
        _stopMonitor.Dispose();
    }

    /// <summary>Once a second: the dashboard's snapshot and the sampled gauges.</summary>
    private async Task MonitorAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var lagLabels = new HashSet<(string, string)>();
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
            {
                if (!_pipelineStopped)
                {
                    _runtime.Feed.Tick();
                }

                var session = _runtime.Pipeline!.Session;
                var lag = _pipelineStopped ? [] : session.Lag();
                _runtime.Lag = lag;
                var current = new HashSet<(string, string)>();
                foreach (var partition in lag)
                {
                    var labels = (partition.Topic, partition.Partition.ToString());
                    current.Add(labels);
                    FraudMetrics.ConsumerLag.WithLabels(labels.Item1, labels.Item2).Set(partition.Records);
                }

                foreach (var gone in lagLabels.Except(current))
                {
                    FraudMetrics.ConsumerLag.RemoveLabelled(gone.Item1, gone.Item2);
                }

                lagLabels = current;
                FraudMetrics.OwnedPartitions.Set(_pipelineStopped ? 0 : session.Assignment.Count);
                if (session.Health is { } health)
                {
                    if (health.LastBrokerContact is { } contact)
                    {
                        FraudMetrics.LastBrokerContact.Set(contact.ToUnixTimeMilliseconds() / 1000.0);
                    }

                    if (health.LastFetch is { } fetch)
                    {
                        FraudMetrics.LastFetch.Set(fetch.ToUnixTimeMilliseconds() / 1000.0);
                    }

                    FraudMetrics.GroupSettled.Set(health.GroupSettled ? 1 : 0);
                }

                FraudMetrics.OffsetsCommitted.IncTo(session.CommitCount);
                FraudMetrics.CommitFailures.IncTo(session.CommitFailures);
                var members = Cluster.Get(_runtime.System!).State.Members.GroupBy(m => m.Status).ToDictionary(g => g.Key, g => g.Count());
                foreach (var status in Enum.GetValues<MemberStatus>())
                {
                    FraudMetrics.ClusterMembers.WithLabels(status.ToString()).Set(members.GetValueOrDefault(status));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>A host lifetime that leaves signals to Program, which stops the node in the right order.</summary>
internal sealed class SignalAgnosticLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using Akka.Actor;
using Akka.Hosting;
using Fraud.Host.Configuration;
using Fraud.Host.Detection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fraud.Host.Hosting;

/// <summary>
/// One detector node: the actor system (cluster member, account shards) plus the Kafka pipeline. Started by
/// <c>fraud detect</c> and <c>fraud demo</c>; stopped gracefully (drain, commit, leave the cluster) on dispose.
/// </summary>
public sealed class DetectorNode : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly KafkaDetector _detector;

    private DetectorNode(IHost host, KafkaDetector detector, DetectorStats stats)
    {
        _host = host;
        _detector = detector;
        Stats = stats;
    }

    public DetectorStats Stats { get; }

    public KafkaDetector Pipeline => _detector;

    public static async Task<DetectorNode> StartAsync(FraudSettings settings, KafkaConnection kafka, CancellationToken cancel)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        // Program owns SIGTERM/Ctrl+C: the stream must drain before the actor system stops, so the host must not
        // stop itself on a signal (its default console lifetime would).
        builder.Services.AddSingleton<IHostLifetime, SignalAgnosticLifetime>();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAkka("fraud", akka => akka
            .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
            .WithFraudCluster(settings.Cluster)
            .WithAccountShards(settings));
        var host = builder.Build();
        await host.StartAsync(cancel);
        var system = host.Services.GetRequiredService<ActorSystem>();
        await AkkaSetup.WhenUpAsync(system).WaitAsync(TimeSpan.FromSeconds(30), cancel);
        var region = await host.Services.GetRequiredService<ActorRegistry>().GetAsync<AccountRegion>(cancel);
        var stats = new DetectorStats();
        var detector = KafkaDetector.Start(system, region, kafka.Settings, settings, stats,
            message => Console.Error.WriteLine($"[{settings.NodeName}] {message}"));
        return new DetectorNode(host, detector, stats);
    }

    public async ValueTask DisposeAsync()
    {
        await _detector.DisposeAsync();
        // Stopping the host runs Akka's coordinated shutdown: leave the cluster, hand off shards.
        await _host.StopAsync(TimeSpan.FromSeconds(15));
        _host.Dispose();
    }
}

/// <summary>A host lifetime that leaves signals to Program, which stops the node in the right order.</summary>
internal sealed class SignalAgnosticLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

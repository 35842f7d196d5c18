using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Event;
using Akka.Management.Dsl;
using Akka.Management.Cluster.Bootstrap;
using Akka.Remote.Hosting;
using Fraud.Actors.Partitions;
using Fraud.Host.Configuration;
using ClusterSettings = Fraud.Host.Configuration.ClusterSettings;

namespace Fraud.Host.Hosting;

/// <summary>Marker for the node's <see cref="OwnedPartitions"/> in the <see cref="ActorRegistry"/>.</summary>
public sealed class OwnedPartitionsKey;

/// <summary>Akka.Hosting setup, split so that tests and every command reuse it.</summary>
public static class AkkaSetup
{
    /// <summary>
    /// Remoting and cluster membership. With <c>Cluster:Discovery=seeds</c> and no seed nodes the node joins itself: a
    /// one-node cluster, so membership, readiness and the cluster view work the same on one node as on many. With a
    /// discovery, Akka.Management and Cluster Bootstrap: every node alike, the lowest-addressed of the first ones seen
    /// forms the cluster, the others join it, and a node started later joins whoever is there.
    /// </summary>
    public static AkkaConfigurationBuilder WithFraudCluster(this AkkaConfigurationBuilder builder, ClusterSettings cluster)
    {
        var hostname = Advertised(cluster.Hostname);
        builder
            // Program decides when to stop (after the stream has drained); Akka must not stop on the process signal.
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend)
            // How long a member must stay unreachable before the majority downs it (and a replacement can become Up).
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {(int)cluster.DownUnreachableAfter.TotalMilliseconds}ms", HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = hostname, Port = cluster.Port, PublicHostName = hostname })
            .WithClustering(new ClusterOptions
            {
                SeedNodes = cluster.UsesBootstrap ? [] : cluster.SeedNodes,
                SplitBrainResolver = new KeepMajorityOption(),
            });
        if (cluster.UsesBootstrap)
        {
            return builder.WithBootstrap(cluster, hostname);
        }

        if (cluster.SeedNodes.Length == 0)
        {
            builder.AddStartup((system, _) =>
            {
                var self = Cluster.Get(system);
                self.Join(self.SelfAddress);
            });
        }

        return builder;
    }

    private static AkkaConfigurationBuilder WithBootstrap(this AkkaConfigurationBuilder builder, ClusterSettings cluster, string hostname)
    {
        var method = cluster.Discovery.ToLowerInvariant();
        switch (method)
        {
            case "config":
                var endpoints = string.Join(", ", cluster.ContactPoints.Select(c => Quoted(c.Contains(':') ? c : $"{c}:{cluster.ManagementPort}")));
                builder.AddHocon($"akka.discovery.method = config\nakka.discovery.config.services.{Quoted(cluster.ServiceName)}.endpoints = [{endpoints}]", HoconAddMode.Prepend);
                break;
            case "kubernetes":
                builder.WithKubernetesDiscovery(options => options.PodLabelSelector = cluster.PodLabelSelector);
                break;
            default:
                builder.AddHocon($"akka.discovery.method = fraud-dns\nakka.discovery.fraud-dns.class = {Quoted(typeof(DnsDiscovery).AssemblyQualifiedName!)}", HoconAddMode.Prepend);
                break;
        }

        // Akka.Management's own HTTP server cannot start with the Ceen.Httpd the package source serves (0.9.10, built
        // against 0.9.9: a missing method): the node answers the other nodes' probes itself (BootstrapContactPoint),
        // and bootstrap is started here with that address as its own contact point.
        return builder
            .WithClusterBootstrap(options =>
            {
                options.NewClusterEnabled = true;
                options.ContactPointDiscovery.ServiceName = cluster.ServiceName;
                options.ContactPointDiscovery.RequiredContactPointsNr = cluster.RequiredContactPoints;
                options.ContactPointDiscovery.StableMargin = cluster.StableMargin;
                options.ContactPointDiscovery.Interval = TimeSpan.FromSeconds(1);
                if (method == "kubernetes")
                {
                    options.ContactPointDiscovery.PortName = "management";
                }

                // Config contact points name their own ports (several nodes on one host); DNS gives none: the fallback.
                options.ContactPoint.FallbackPort = cluster.ManagementPort;
                options.ContactPoint.FilterOnFallbackPort = method != "config";
            }, autoStart: false)
            .AddStartup((system, registry) =>
            {
                var bootstrap = ClusterBootstrap.Get(system);
                bootstrap.Routes(ManagementRouteProviderSettings.Create(new Uri($"http://{hostname}:{cluster.ManagementPort}/"), true));
                bootstrap.Start().ContinueWith(started => system.Log.Error(started.Exception, "cluster bootstrap did not start"), TaskContinuationOptions.OnlyOnFaulted);
            });
    }

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary><c>auto</c>: the first address of this host that is not loopback (a container's or pod's IP).</summary>
    public static string Advertised(string hostname)
    {
        if (!hostname.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return hostname;
        }

        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up && n.NetworkInterfaceType != System.Net.NetworkInformation.NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));
        return own?.ToString() ?? throw new StartupException("Cluster:Hostname=auto: this host has no address but loopback; set Cluster__Hostname");
    }

    /// <summary>
    /// The node's accounts: one actor per input partition this node owns, created and stopped as Kafka assigns and
    /// revokes partitions (see <see cref="Fraud.Actors.Partitions.OwnedPartitions"/>).
    /// </summary>
    public static AkkaConfigurationBuilder WithOwnedPartitions(this AkkaConfigurationBuilder builder, PartitionContext context) =>
        builder.WithActors((system, registry) =>
            registry.Register<OwnedPartitionsKey>(system.ActorOf(OwnedPartitions.Props(context), "accounts")));

    /// <summary>Completes when this node is an Up member of the cluster.</summary>
    public static Task WhenUpAsync(ActorSystem system)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task;
    }
}

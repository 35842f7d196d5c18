using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
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
    /// Remoting and cluster membership. With no seed nodes the node joins itself: a one-node cluster, so membership,
    /// readiness and the cluster view work the same on one node as on many.
    /// </summary>
    public static AkkaConfigurationBuilder WithFraudCluster(this AkkaConfigurationBuilder builder, ClusterSettings cluster)
    {
        builder
            // Program decides when to stop (after the stream has drained); Akka must not stop on the process signal.
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend)
            // How long a member must stay unreachable before the majority downs it (and a replacement can become Up).
            .AddHocon($"akka.cluster.split-brain-resolver.stable-after = {(int)cluster.DownUnreachableAfter.TotalMilliseconds}ms", HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = cluster.Hostname, Port = cluster.Port })
            .WithClustering(new ClusterOptions
            {
                SeedNodes = cluster.SeedNodes,
                SplitBrainResolver = new KeepMajorityOption(),
            });
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

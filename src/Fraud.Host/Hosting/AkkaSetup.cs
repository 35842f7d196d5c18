using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Fraud.Actors.Accounts;
using Fraud.Host.Configuration;
using ClusterSettings = Fraud.Host.Configuration.ClusterSettings;

namespace Fraud.Host.Hosting;

/// <summary>Marker for the account shard region in the <see cref="ActorRegistry"/>.</summary>
public sealed class AccountRegion;

/// <summary>Akka.Hosting setup, split so that tests and every command reuse it.</summary>
public static class AkkaSetup
{
    /// <summary>
    /// Remoting and cluster membership. With no seed nodes the node joins itself: a one-node cluster, so sharding
    /// works the same on one node as on many.
    /// </summary>
    public static AkkaConfigurationBuilder WithFraudCluster(this AkkaConfigurationBuilder builder, ClusterSettings cluster)
    {
        builder
            // Program decides when to stop (after the stream has drained); Akka must not stop on the process signal.
            .AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend)
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
    /// The sharded account actors, passivated when idle, but never sooner than the rules' retention: a passivated
    /// account forgets its state, and an account must not forget a window its rules still look at.
    /// </summary>
    public static AkkaConfigurationBuilder WithAccountShards(this AkkaConfigurationBuilder builder, FraudSettings settings) =>
        builder.WithShardRegion<AccountRegion>(
            AccountShardSettings.TypeName,
            _ => AccountActor.Props(settings.Rules, settings.NodeName),
            new AccountMessageExtractor(settings.Accounts.NumberOfShards),
            new ShardOptions
            {
                PassivateIdleEntityAfter = AccountShards.PassivationFor(settings.Accounts, settings.Rules),
                StateStoreMode = StateStoreMode.DData,
                RememberEntities = false,
            });

    /// <summary>Completes when this node is an Up member of the cluster.</summary>
    public static Task WhenUpAsync(ActorSystem system)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task;
    }
}

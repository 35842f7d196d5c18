using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Fraud.Actors.Accounts;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Tests;

/// <summary>A TestKit whose system is a one-node cluster, so specs use the account shard region as production does.</summary>
public abstract class ClusterSpec() : TestKit(ConfigurationFactory.ParseString("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp.hostname = 127.0.0.1
    akka.remote.dot-netty.tcp.port = 0
    akka.loglevel = WARNING
    """))
{
    protected async Task<IActorRef> StartRegionAsync(TimeSpan passivateAfter, RuleSettings? rules = null)
    {
        var cluster = Cluster.Get(Sys);
        var up = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return await AccountShards.StartAsync(Sys, rules ?? new RuleSettings(), new AccountShardSettings { PassivateAfter = passivateAfter }, "spec-node");
    }
}

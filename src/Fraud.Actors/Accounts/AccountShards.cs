using Akka.Actor;
using Akka.Cluster.Sharding;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Accounts;

/// <summary>Sharding of account entities. Used even on one node, so that adding nodes changes configuration, not code.</summary>
public sealed class AccountShardSettings
{
    public const string TypeName = "account";

    /// <summary>Number of shards: ten per expected node is the usual advice; fixed for the life of the cluster.</summary>
    public int NumberOfShards { get; set; } = 100;

    /// <summary>
    /// An account idle this long is stopped and its state dropped; raised to the rules' retention when shorter (see
    /// <see cref="AccountShards.PassivationFor"/>).
    /// </summary>
    public TimeSpan PassivateAfter { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Routes by <see cref="IWithAccountId.AccountId"/>.</summary>
public sealed class AccountMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    public override string EntityId(object message) => message switch
    {
        IWithAccountId m => m.AccountId,
        _ => null!,
    };
}

public static class AccountShards
{
    /// <summary>
    /// The idle time after which an account is passivated: the configured value, but at least the rules' retention
    /// (longest window plus lateness), so that no account forgets a window its rules still look at.
    /// </summary>
    public static TimeSpan PassivationFor(AccountShardSettings settings, RuleSettings rules) =>
        settings.PassivateAfter > rules.Retention ? settings.PassivateAfter : rules.Retention;

    /// <summary>Starts the account shard region on this node (which must be a cluster member).</summary>
    public static Task<IActorRef> StartAsync(ActorSystem system, RuleSettings rules, AccountShardSettings settings, string node) =>
        ClusterSharding.Get(system).StartAsync(
            AccountShardSettings.TypeName,
            _ => AccountActor.Props(rules, node),
            ClusterShardingSettings.Create(system).WithPassivateIdleAfter(PassivationFor(settings, rules)),
            new AccountMessageExtractor(settings.NumberOfShards));
}

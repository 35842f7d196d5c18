using Akka.Actor;
using Akka.Cluster;
using Fraud.Actors.Partitions;
using Fraud.Host.Configuration;
using Fraud.Host.Dashboard;
using Fraud.Host.Detection;
using Fraud.Host.Health;
using Fraud.Kafka.Consuming;

namespace Fraud.Host.Hosting;

/// <summary>
/// What the web endpoints read of a running node: its counts, its live feed, and, once started, the actor system,
/// the account region and the Kafka pipeline. One per process, filled in by <see cref="DetectorNode"/> as it starts.
/// </summary>
public sealed class NodeRuntime(FraudSettings settings, DetectorStats stats, LiveFeed feed)
{
    public FraudSettings Settings { get; } = settings;

    public DetectorStats Stats { get; } = stats;

    public LiveFeed Feed { get; } = feed;

    public ActorSystem? System { get; internal set; }

    public IActorRef? Partitions { get; internal set; }

    /// <summary>This node's partitions that cannot be scored here, and why.</summary>
    public PartitionHealth PartitionHealth { get; } = new();

    public IActorRef? ClusterView { get; internal set; }

    public KafkaDetector? Pipeline { get; internal set; }

    /// <summary>The Kafka this node reads and writes (the embedded broker's address on the demo).</summary>
    public Fraud.Kafka.Settings.KafkaSettings? Kafka { get; internal set; }

    /// <summary>What keeps the rules those of the rule topics (null when they come from a file).</summary>
    public Rules.RuleTopicFollower? RuleTopics { get; internal set; }

    /// <summary>The review queue the Reviews page shows (null when <c>Reviews:Enabled</c> is false).</summary>
    public Reviews.ReviewQueue? Reviews { get; internal set; }

    /// <summary>Consumer lag per owned partition, as last sampled (once a second).</summary>
    public IReadOnlyList<PartitionLag> Lag { get; internal set; } = [];

    public NodeCondition Condition()
    {
        var pipeline = Pipeline;
        var running = pipeline is not null && !pipeline.Completion.IsCompleted;
        var failure = pipeline?.Completion.IsFaulted == true ? pipeline.Completion.Exception!.GetBaseException().Message : null;
        var status = System is null ? "not started" : Cluster.Get(System).SelfMember.Status.ToString();
        return new NodeCondition(running, failure, running ? pipeline!.Session.Assignment.Count : 0, status,
            running ? pipeline!.Session.Health : null, DateTimeOffset.UtcNow, Settings.Health.KafkaGrace, PartitionHealth.Problems);
    }
}

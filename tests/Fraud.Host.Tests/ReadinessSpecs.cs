using Fraud.Host.Health;
using Fraud.Kafka.Consuming;

namespace Fraud.Host.Tests;

public sealed class ReadinessSpecs
{
    [Fact]
    public void Should_be_ready_when_running_with_partitions_as_an_up_member() =>
        Assert.Empty(Readiness.Problems(new NodeCondition(true, null, 3, "Up")));

    [Fact]
    public void Should_not_be_ready_without_partitions()
    {
        var problem = Assert.Single(Readiness.Problems(new NodeCondition(true, null, 0, "Up")));
        Assert.Contains("no input partitions", problem);
    }

    [Fact]
    public void Should_not_be_ready_while_joining_the_cluster()
    {
        var problem = Assert.Single(Readiness.Problems(new NodeCondition(true, null, 2, "Joining")));
        Assert.Contains("Joining", problem);
    }

    [Fact]
    public void Should_say_why_when_the_pipeline_failed()
    {
        var problems = Readiness.Problems(new NodeCondition(false, "broker down", 0, "Up"));
        Assert.Equal(["detector pipeline stopped: broker down"], problems);
    }

    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);

    private static NodeCondition With(ConsumerHealth health) => new(true, null, 3, "Up", health, Now, Grace);

    [Fact]
    public void Should_be_ready_while_the_brokers_answer_within_the_grace()
    {
        Assert.Empty(Readiness.Problems(With(new ConsumerHealth(Now, Now.AddSeconds(-14), Now, "up/steady", null))));
    }

    [Fact]
    public void Should_not_be_ready_when_the_brokers_have_been_silent_past_the_grace()
    {
        var problem = Assert.Single(Readiness.Problems(With(new ConsumerHealth(Now, Now.AddSeconds(-20), Now.AddSeconds(-20), "up/steady", null))));
        Assert.Equal("no answer from the Kafka brokers for 20 s (grace 15 s)", problem);
    }

    [Fact]
    public void Should_not_be_ready_when_the_consumer_has_been_out_of_its_group_past_the_grace()
    {
        var problem = Assert.Single(Readiness.Problems(With(new ConsumerHealth(Now, Now, Now, "wait-coord/init", Now.AddSeconds(-30)))));
        Assert.Contains("not been in its group for 30 s (group wait-coord/init", problem);
        Assert.Empty(Readiness.Problems(With(new ConsumerHealth(Now, Now, Now, "up/wait-join", Now.AddSeconds(-5))))); // a rebalance
    }

    [Fact]
    public void Should_not_be_ready_when_the_consumers_statistics_stopped()
    {
        var problem = Assert.Single(Readiness.Problems(With(new ConsumerHealth(Now.AddSeconds(-60), Now.AddSeconds(-60), Now.AddSeconds(-60), "up/steady", null))));
        Assert.Contains("polling thread is stuck", problem);
    }

    [Fact]
    public void Should_not_be_ready_while_a_partition_cannot_be_scored_here()
    {
        var problem = Assert.Single(Readiness.Problems(new NodeCondition(true, null, 3, "Up", FailedPartitions: ["partition in-3: its checkpoint holds account states of format version 9"])));
        Assert.StartsWith("partition in-3: its checkpoint holds account states of format version 9; its records wait", problem);
    }
}

using Fraud.Host.Health;

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
}

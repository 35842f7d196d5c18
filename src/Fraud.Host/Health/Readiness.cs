namespace Fraud.Host.Health;

/// <summary>What readiness is judged on, sampled from the node.</summary>
public sealed record NodeCondition(bool PipelineRunning, string? PipelineFailure, int AssignedPartitions, string ClusterStatus);

/// <summary>
/// <c>/ready</c>: a node serves traffic when its pipeline runs, it owns input partitions (so it reached Kafka and joined
/// the consumer group) and it is an Up member of the cluster. A node with no partitions is alive but not serving
/// (<c>/healthz</c> says alive): with more nodes than partitions, the spare ones stand by and say so.
/// </summary>
public static class Readiness
{
    /// <summary>Why the node is not ready; empty when it is.</summary>
    public static IReadOnlyList<string> Problems(NodeCondition node)
    {
        var problems = new List<string>();
        if (!node.PipelineRunning)
        {
            problems.Add(node.PipelineFailure is { } failure ? $"detector pipeline stopped: {failure}" : "detector pipeline not running");
        }
        else if (node.AssignedPartitions == 0)
        {
            problems.Add("no input partitions assigned (joining the consumer group, or more nodes than partitions)");
        }

        if (node.ClusterStatus != "Up")
        {
            problems.Add($"cluster member is {node.ClusterStatus}, not Up");
        }

        return problems;
    }
}

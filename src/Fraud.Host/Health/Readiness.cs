using Fraud.Kafka.Consuming;

namespace Fraud.Host.Health;

/// <summary>
/// What readiness is judged on, sampled from the node at <paramref name="Now"/>; <paramref name="Consumer"/> is the
/// consumer's link to the brokers (null before its first statistics, or with statistics turned off).
/// </summary>
public sealed record NodeCondition(bool PipelineRunning, string? PipelineFailure, int AssignedPartitions, string ClusterStatus,
    ConsumerHealth? Consumer = null, DateTimeOffset Now = default, TimeSpan KafkaGrace = default, IReadOnlyList<string>? FailedPartitions = null);

/// <summary>
/// <c>/ready</c>: a node serves traffic when its pipeline runs, it owns input partitions (so it reached Kafka and joined
/// the consumer group), it has heard from the brokers and its group is settled within the grace, and it is an Up member
/// of the cluster. A node with no partitions is alive but not serving
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

        if (node.PipelineRunning && node.Consumer is { } kafka)
        {
            var grace = node.KafkaGrace;
            if (node.Now - kafka.At > grace)
            {
                problems.Add($"no statistics from the Kafka consumer for {Seconds(node.Now - kafka.At)} s (grace {Seconds(grace)} s): its polling thread is stuck");
            }
            else if (kafka.LastBrokerContact is not { } contact || node.Now - contact > grace)
            {
                problems.Add(kafka.LastBrokerContact is { } last
                    ? $"no answer from the Kafka brokers for {Seconds(node.Now - last)} s (grace {Seconds(grace)} s)"
                    : "no answer from the Kafka brokers yet");
            }

            if (kafka.GroupUnsettledSince is { } since && node.Now - since > grace)
            {
                problems.Add($"the consumer has not been in its group for {Seconds(node.Now - since)} s (group {kafka.GroupState}; grace {Seconds(grace)} s)");
            }
        }

        foreach (var failed in node.FailedPartitions ?? [])
        {
            problems.Add($"{failed}; its records wait, uncommitted, for a node that can read it");
        }

        if (node.ClusterStatus != "Up")
        {
            problems.Add($"cluster member is {node.ClusterStatus}, not Up");
        }

        return problems;
    }

    private static string Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}

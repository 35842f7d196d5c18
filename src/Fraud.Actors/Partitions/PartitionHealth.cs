using System.Collections.Concurrent;

namespace Fraud.Actors.Partitions;

/// <summary>
/// The partitions of this node that cannot be scored here, and why (a checkpoint in a format this node does not read):
/// written by their actors, read by readiness, and heard by the consumer, which stops fetching them. Their records are
/// neither scored nor committed; a node that can read them takes them over.
/// </summary>
public sealed class PartitionHealth
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), string> _failed = new();

    /// <summary>Raised when a partition fails (on its actor's thread).</summary>
    public event Action<string, int, string>? Failed;

    /// <summary>The failed partitions.</summary>
    public IReadOnlyList<(string Topic, int Partition)> Failing => _failed.Keys.ToList();

    public IReadOnlyList<string> Problems =>
        _failed.OrderBy(f => f.Key.Partition).Select(f => $"partition {f.Key.Topic}-{f.Key.Partition}: {f.Value}").ToList();

    public void Fail(string topic, int partition, string reason)
    {
        _failed[(topic, partition)] = reason;
        Failed?.Invoke(topic, partition, reason);
    }

    /// <summary>The partition left this node (or is healthy again).</summary>
    public void Clear(string topic, int partition) => _failed.TryRemove((topic, partition), out _);
}

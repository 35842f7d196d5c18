using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// Save every partition's changed accounts now and answer <see cref="CheckpointsFlushed"/> once they are durable: a
/// graceful stop does this after the last output is acknowledged and before the final commit, so that the next
/// owner starts exactly where this node stopped.
/// </summary>
public sealed record FlushCheckpoints
{
    public static readonly FlushCheckpoints Instance = new();
}

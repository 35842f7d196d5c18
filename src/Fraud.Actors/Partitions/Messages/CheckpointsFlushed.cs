using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>The reply to <see cref="FlushCheckpoints"/>.</summary>
public sealed record CheckpointsFlushed
{
    public static readonly CheckpointsFlushed Instance = new();
}

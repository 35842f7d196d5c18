using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// From the region to a partition actor whose partition was revoked or re-assigned: answer every transaction it still
/// holds <see cref="PartitionNotOwned"/> (the next owner scores them), then stop. Messages routed to it before this one
/// are handled first, as usual; none are routed to it after.
/// </summary>
public sealed record ReleasePartition
{
    public static readonly ReleasePartition Instance = new();
}

using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>Ask the region what it holds; the reply is a <see cref="PartitionsStatus"/>.</summary>
public sealed record GetPartitionsStatus
{
    public static readonly GetPartitionsStatus Instance = new();
}

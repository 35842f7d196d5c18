using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>The partitions whose accounts live on this node, and how many accounts that is.</summary>
public sealed record PartitionsStatus(IReadOnlyList<int> Partitions, long Accounts);

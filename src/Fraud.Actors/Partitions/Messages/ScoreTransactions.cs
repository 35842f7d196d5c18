using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// Score these transactions of one partition, in their order, each against its account's history. They were all read
/// under one assignment <see cref="Generation"/>; <see cref="Offsets"/> are their input offsets. One message for a
/// batch of records, not one per transaction: the actor hop is paid once per batch. <see cref="CorrelationId"/> comes
/// back in the reply.
/// </summary>
public sealed record ScoreTransactions(int Partition, int Generation, IReadOnlyList<Transaction> Transactions, IReadOnlyList<long> Offsets, long CorrelationId = 0)

{
    /// <summary>A batch of one.</summary>
    public static ScoreTransactions One(Transaction transaction, RecordOrigin origin, long correlationId = 0) =>
        new(origin.Partition, origin.Generation, [transaction], [origin.Offset], correlationId);
}

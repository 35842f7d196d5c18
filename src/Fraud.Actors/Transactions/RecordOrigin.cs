namespace Fraud.Actors.Transactions;

/// <summary>Where a raw record came from, for fallbacks and dead-letter headers. Knows nothing of Kafka's types.</summary>
/// <remarks>
/// <see cref="Generation"/> is the partition's assignment the record was read under: a record read before its partition
/// moved away (and came back) belongs to an older generation, and its partition's actor no longer takes it.
/// </remarks>
public readonly record struct RecordOrigin(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, int Generation = 0)
{
    public override string ToString() => $"{Topic}-{Partition}-{Offset}";
}

namespace Fraud.Actors.Transactions;

/// <summary>Where a raw record came from, for fallbacks and dead-letter headers. Knows nothing of Kafka's types.</summary>
/// <remarks>
/// <see cref="Generation"/> is the partition's assignment the record was read under: a record read before its partition
/// moved away (and came back) belongs to an older generation, and its partition's actor no longer takes it.
/// </remarks>
public readonly record struct RecordOrigin(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, int Generation = 0)
{
    public override string ToString() => $"{Topic}-{Partition}-{Offset}";

    /// <summary>The partition of a <see cref="ToString"/> text (the topic may hold '-' itself); null when it is not one.</summary>
    public static int? PartitionOf(string? text)
    {
        var last = text?.LastIndexOf('-') ?? -1;
        var before = last > 0 ? text!.LastIndexOf('-', last - 1) : -1;
        return before > 0 && int.TryParse(text.AsSpan(before + 1, last - before - 1), System.Globalization.NumberStyles.None, null, out var partition) ? partition : null;
    }
}

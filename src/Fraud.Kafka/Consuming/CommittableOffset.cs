using Confluent.Kafka;

namespace Fraud.Kafka.Consuming;

/// <summary>
/// The position of one consumed record, to be handed to the <see cref="Committing.Committer"/> once everything the
/// record produced has been acknowledged. <see cref="Generation"/> is the partition's assignment epoch: an offset
/// acknowledged after its partition was revoked is dropped instead of being committed over the new owner.
/// </summary>
public sealed record CommittableOffset(ConsumerSession Session, TopicPartition TopicPartition, long Offset, int Generation)
{
    public override string ToString() => $"{TopicPartition.Topic}-{TopicPartition.Partition.Value}@{Offset}";
}

/// <summary>A consumed record and its committable offset.</summary>
public sealed record CommittableRecord(ConsumeResult<byte[]?, byte[]?> Record, CommittableOffset Offset);

using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Partitions;

/// <summary>
/// One input partition given to this node, under the consumer's assignment generation. <see cref="EndOffset"/> is the
/// partition's end when it was assigned (-1: unknown): a checkpoint past it is from before the topic was recreated.
/// </summary>
public sealed record PartitionAssignment(string Topic, int Partition, int Generation, long EndOffset = -1);

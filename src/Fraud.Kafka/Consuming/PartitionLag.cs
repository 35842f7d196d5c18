namespace Fraud.Kafka.Consuming;

/// <summary>Records waiting in one partition beyond what this consumer has finished.</summary>
public readonly record struct PartitionLag(string Topic, int Partition, long Records);

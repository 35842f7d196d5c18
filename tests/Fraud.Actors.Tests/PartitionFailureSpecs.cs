using Fraud.Actors.Checkpoints;
using Fraud.Actors.Partitions;
using Fraud.Actors.Transactions;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>A partition whose checkpoint this node cannot read fails alone, says why, and never crash-loops.</summary>
public sealed class PartitionFailureSpecs : PartitionSpec
{
    /// <summary>A store whose partition 0 holds an account written by a newer release.</summary>
    private sealed class FromTheFuture : ICheckpointStore
    {
        public int Claims;

        public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key)
        {
            Interlocked.Increment(ref Claims);
            var accounts = key.Partition == 0
                ? new Dictionary<string, byte[]> { ["ACC-NEW"] = [99, 1, 2, 3] }
                : new Dictionary<string, byte[]>();
            return Task.FromResult(new PartitionCheckpoint(1, 10, accounts));
        }

        public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write) => Task.CompletedTask;
    }

    [Fact]
    public void Should_fail_the_partition_with_one_reason_leave_its_records_and_go_on_with_the_others()
    {
        var store = new FromTheFuture();
        var context = Context(store);
        var partitions = StartPartitions(context, 1, 0, 1);

        partitions.Tell(ScoreTransactions.One(Tx(0, 10m, account: "ACC-NEW"), At(10, partition: 0)), TestActor);
        ExpectMsg<PartitionNotOwned>(TimeSpan.FromSeconds(10)); // not scored, so never acknowledged nor committed
        var problem = Assert.Single(context.Health.Problems);
        Assert.Equal("partition in-0: its checkpoint holds account states of format version 99, newer than this node reads (4): run the release that wrote it, or a later one", problem);
        Assert.Equal(-1, context.Durable.CommitLimit(Topic, 0));

        // The other partition scores as usual; the failed one stays failed without claiming again.
        Assert.False(Score(partitions, Tx(1, 10m, account: "ACC-OTHER"), 10, partition: 1).IsFraud);
        Assert.Equal(2, store.Claims);

        // Revoked: its failure leaves with it.
        partitions.Tell(new PartitionsRevoked([0]), TestActor);
        AwaitCondition(() => context.Health.Problems.Count == 0, TimeSpan.FromSeconds(10));
    }
}

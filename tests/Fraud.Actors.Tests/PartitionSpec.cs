using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Fraud.Actors.Partitions;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>A TestKit with helpers to start an <see cref="OwnedPartitions"/> that owns some partitions of topic "in".</summary>
public abstract class PartitionSpec() : TestKit(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
{
    protected const string Topic = "in";

    protected PartitionContext Context(ICheckpointStore? store = null, RuleSettings? rules = null, AccountSettings? accounts = null,
        DurableOffsets? durable = null, string node = "spec-node") =>
        new("spec-group", store ?? new InMemoryCheckpointStore(), durable ?? new DurableOffsets(), rules ?? new RuleSettings(),
            accounts ?? new AccountSettings { CheckpointInterval = TimeSpan.FromMilliseconds(100) }, node, new AccountCounter(), TimeProvider.System);

    protected IActorRef StartPartitions(PartitionContext context, int generation = 1, params int[] partitions)
    {
        var region = Sys.ActorOf(OwnedPartitions.Props(context));
        region.Tell(new PartitionsAssigned((partitions.Length == 0 ? [0] : partitions).Select(p => new PartitionAssignment(Topic, p, generation)).ToList()));
        return region;
    }

    protected static RecordOrigin At(long offset, int partition = 0, int generation = 1) =>
        new(Topic, partition, offset, TestTransactions.T0, generation);

    protected Verdict Score(IActorRef region, Transaction tx, long offset, int partition = 0, int generation = 1)
    {
        region.Tell(ScoreTransactions.One(tx, At(offset, partition, generation)), TestActor);
        return Assert.Single(ExpectMsg<TransactionsScored>(TimeSpan.FromSeconds(10)).Verdicts)!;
    }

    protected AccountInspected Inspect(IActorRef region, string account, int partition = 0)
    {
        region.Tell(new InspectAccount(account, partition), TestActor);
        return ExpectMsg<AccountInspected>(TimeSpan.FromSeconds(10));
    }

    protected static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(20);
        }
    }
}

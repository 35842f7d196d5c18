using Fraud.Actors.State;
using Akka.Actor;
using Fraud.Actors.Partitions;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>The accounts of a node's partitions: state per account, checkpoints, take-over, fencing, generations.</summary>
public sealed class OwnedPartitionsSpecs : PartitionSpec
{
    [Fact]
    public void Should_keep_state_per_account()
    {
        var region = StartPartitions(Context());
        for (var i = 0; i < 5; i++)
        {
            Assert.False(Score(region, Tx(i, account: "ACC-A"), i).IsFraud);
        }

        Assert.False(Score(region, Tx(5, account: "ACC-B"), 5).IsFraud); // B's first, despite A's five
        var sixth = Score(region, Tx(6, account: "ACC-A"), 6);
        Assert.Equal([VelocityCountRule.Id], sixth.RuleIds());
        Assert.Equal("spec-node", sixth.DetectorNode);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    [InlineData(64)]
    public void Should_spread_its_partitions_checkpoints_over_the_interval(int partitions)
    {
        // Partitions start together on assignment; their saves must not come in step (the store would get them all at
        // once, every interval). Each first save comes within one interval, and no two partitions' are closer than
        // about half an even share of it.
        var interval = TimeSpan.FromSeconds(1);
        var phases = Enumerable.Range(0, partitions).Select(p => PartitionCheckpoints.Phase(p, interval)).Order().ToList();
        Assert.All(phases, phase => Assert.InRange(phase, TimeSpan.Zero, interval - TimeSpan.FromTicks(1)));
        var gaps = phases.Zip(phases.Skip(1).Append(phases[0] + interval), (a, b) => b - a);
        Assert.All(gaps, gap => Assert.True(gap >= interval * 0.45 / partitions, $"{gap} between two partitions' saves"));
    }

    [Fact]
    public void Should_answer_a_redelivered_transaction_with_its_first_verdict()
    {
        var region = StartPartitions(Context());
        var original = Tx(0, 950m, account: "ACC-DUP", id: "same-id");
        var first = Score(region, original, 0);
        for (var i = 1; i <= 4; i++)
        {
            Score(region, Tx(i, account: "ACC-DUP"), i);
        }

        var redelivered = Score(region, original, 0);
        Assert.Equal(first, redelivered);
        // Five distinct transactions so far; had the redelivery counted, this would be the 7th, not the 6th.
        var sixth = Score(region, Tx(5, account: "ACC-DUP"), 5);
        Assert.Contains(sixth.Rules, r => r.Id == VelocityCountRule.Id && r.Observed == 6m);
    }

    [Fact]
    public void Should_show_the_transactions_its_windows_hold_when_inspected()
    {
        var region = StartPartitions(Context());
        Score(region, Tx(0, 12.5m, account: "ACC-LOOK", country: "FR"), 0);
        Score(region, Tx(10, 700m, account: "ACC-LOOK", country: "DE"), 1);

        var seen = Inspect(region, "ACC-LOOK");

        Assert.True(seen.Known);
        Assert.Equal([12.5m, 700m], seen.Window.Select(w => w.Amount));
        Assert.Equal(["FR", "DE"], seen.Window.Select(w => w.Country));
        Assert.Equal(T0.AddSeconds(10), seen.Window[1].Timestamp);
        Assert.Equal(2, seen.RememberedVerdicts);
        Assert.False(Inspect(region, "ACC-NOBODY").Known);
        Assert.False(Inspect(region, "ACC-LOOK", partition: 7).Known); // not a partition of this node
    }

    [Fact]
    public async Task Should_checkpoint_and_let_the_next_owner_continue_every_window()
    {
        var store = new InMemoryCheckpointStore();
        var durable = new DurableOffsets();
        var first = StartPartitions(Context(store, durable: durable));
        for (var i = 0; i < 4; i++)
        {
            Score(first, Tx(i, account: "ACC-MOVE"), i);
        }

        var redeliveredLater = Tx(4, account: "ACC-MOVE", id: "tx-before-the-move");
        var original = Score(first, redeliveredLater, 4);
        await EventuallyAsync(() => durable.Get(Topic, 0) == 5, "the checkpoint never covered offset 4");
        first.Tell(new PartitionsRevoked([0]));

        // Another node (another region, same store) takes the partition over.
        var next = StartPartitions(Context(store, node: "next-node"), generation: 7);
        Assert.Equal(5, Inspect(next, "ACC-MOVE").Window.Count);
        // Re-read from an earlier commit: same verdict, not counted twice...
        Assert.Equal(original, Score(next, redeliveredLater, 4, generation: 7));
        // ...and the sixth transaction is the sixth: the window did not reset.
        var sixth = Score(next, Tx(5, account: "ACC-MOVE"), 5, generation: 7);
        Assert.Contains(sixth.Rules, r => r.Id == VelocityCountRule.Id && r.Observed == 6m);
        Assert.Equal("next-node", sixth.DetectorNode);
    }

    [Fact]
    public async Task Should_start_a_partition_empty_when_its_checkpoint_is_past_the_partitions_end()
    {
        // A checkpoint at offset 500 of a partition that now ends at 20: the topic was recreated since.
        var store = new InMemoryCheckpointStore();
        var key = new PartitionKey("spec-group", Topic, 0);
        var stale = new AccountState();
        TestTransactions.Score(stale, Tx(0, account: "ACC-OLD"));
        await store.SaveAsync(key, (await store.ClaimAsync(key)).Epoch, new CheckpointWrite(500, [new("ACC-OLD", AccountStateCodec.Write(stale))], []));

        var durable = new DurableOffsets();
        var region = Sys.ActorOf(OwnedPartitions.Props(Context(store, durable: durable)));
        region.Tell(new PartitionsAssigned([new PartitionAssignment(Topic, 0, 1, EndOffset: 20)]));

        Assert.False(Inspect(region, "ACC-OLD").Known);
        Score(region, Tx(0, account: "ACC-NEW"), 0);
        await EventuallyAsync(() => durable.Get(Topic, 0) == 1, "no checkpoint after the fresh start");
        var saved = await store.ClaimAsync(key);
        Assert.Equal(["ACC-NEW"], saved.Accounts.Keys); // the stale accounts are gone from the store too
        Assert.Equal(1, saved.NextOffset);
    }

    [Fact]
    public async Task Should_leave_the_partition_to_the_new_owner_once_fenced_and_fail_if_kafka_never_moves_it()
    {
        var store = new InMemoryCheckpointStore();
        var durableOld = new DurableOffsets();
        var grace = new AccountSettings { CheckpointInterval = TimeSpan.FromMilliseconds(100), FencedGrace = TimeSpan.FromSeconds(1) };
        var old = StartPartitions(Context(store, durable: durableOld, accounts: grace));
        Score(old, Tx(0, account: "ACC-F"), 0);
        await EventuallyAsync(() => durableOld.Get(Topic, 0) == 1, "no first checkpoint");

        var newer = StartPartitions(Context(store), generation: 2); // claims partition 0: the old owner is fenced
        Score(newer, Tx(1, account: "ACC-F"), 1, generation: 2);

        // The old owner still gets a record (it has not heard of the rebalance yet): its save is refused, it stops.
        Score(old, Tx(2, account: "ACC-F"), 2);
        await EventuallyAsync(() =>
        {
            old.Tell(ScoreTransactions.One(Tx(3, account: "ACC-F"), At(3)), TestActor);
            return ReceiveOne(TimeSpan.FromSeconds(5)) is PartitionNotOwned;
        }, "the fenced owner kept scoring");
        Assert.Equal(1, durableOld.Get(Topic, 0));
        Assert.Equal(2, Inspect(newer, "ACC-F").Window.Count); // its checkpoint's one, and its own

        // Kafka never revoked it from the old owner: after the grace, its records fail the stream instead of vanishing.
        await EventuallyAsync(() =>
        {
            old.Tell(ScoreTransactions.One(Tx(4, account: "ACC-F"), At(4)), TestActor);
            return ReceiveOne(TimeSpan.FromSeconds(5)) is PartitionFailed failed && failed.Reason.Contains("two deployments");
        }, "the fenced owner never failed");
    }

    [Fact]
    public void Should_not_score_a_record_read_under_an_earlier_assignment()
    {
        var region = StartPartitions(Context(), generation: 3);
        region.Tell(ScoreTransactions.One(Tx(0, account: "ACC-G"), At(0, generation: 2), 42), TestActor);
        Assert.Equal(new PartitionNotOwned(0, 42), ExpectMsg<PartitionNotOwned>());

        region.Tell(new PartitionsRevoked([0]));
        region.Tell(ScoreTransactions.One(Tx(1, account: "ACC-G"), At(1, generation: 3), 43), TestActor);
        Assert.Equal(new PartitionNotOwned(0, 43), ExpectMsg<PartitionNotOwned>());
    }

    [Fact]
    public void Should_answer_what_a_partition_held_while_restoring_when_it_is_revoked_or_reassigned()
    {
        // A claim that never completes: the partition actor restores for ever, holding what it is sent.
        var store = new StalledClaims();
        var region = StartPartitions(Context(store), generation: 1, 0, 1);
        region.Tell(ScoreTransactions.One(Tx(0, account: "ACC-R"), At(0, partition: 0, generation: 1), 7), TestActor);
        region.Tell(ScoreTransactions.One(Tx(1, account: "ACC-S"), At(0, partition: 1, generation: 1), 8), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Revoked: the next owner scores it, so it is answered "not owned" at once, not left to the stream's timeout.
        region.Tell(new PartitionsRevoked([0]));
        Assert.Equal(new PartitionNotOwned(0, 7), ExpectMsg<PartitionNotOwned>());

        // Re-assigned here under a newer generation (an eager rebalance): the old generation's record is answered too.
        region.Tell(new PartitionsAssigned([new PartitionAssignment(Topic, 1, 2)]));
        Assert.Equal(new PartitionNotOwned(1, 8), ExpectMsg<PartitionNotOwned>());
        AwaitCondition(() => store.Claims == 3); // partitions 0 and 1, then 1 again for its new generation
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    /// <summary>A store whose claims never complete (say, a database that hangs).</summary>
    private sealed class StalledClaims : ICheckpointStore
    {
        private int _claims;

        public int Claims => Volatile.Read(ref _claims);

        public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key)
        {
            Interlocked.Increment(ref _claims);
            return new TaskCompletionSource<PartitionCheckpoint>().Task;
        }

        public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write) => Task.CompletedTask;
    }

    [Fact]
    public void Should_hold_a_record_that_arrives_before_its_assignment()
    {
        var region = Sys.ActorOf(OwnedPartitions.Props(Context()));
        region.Tell(ScoreTransactions.One(Tx(0, 2000m, account: "ACC-E"), At(0, generation: 1)), TestActor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        region.Tell(new PartitionsAssigned([new PartitionAssignment(Topic, 0, 1)]));
        Assert.Contains(LargeAmountRule.Id, ExpectMsg<TransactionsScored>().Verdicts[0]!.RuleIds());
    }

    [Fact]
    public void Should_flush_every_partition_before_answering()
    {
        var durable = new DurableOffsets();
        // A checkpoint interval far away: only the flush can save.
        var region = StartPartitions(Context(durable: durable, accounts: new AccountSettings { CheckpointInterval = TimeSpan.FromHours(1) }), 1, 0, 1);
        Score(region, Tx(0, account: "ACC-0"), 10, partition: 0);
        Score(region, Tx(0, account: "ACC-1"), 20, partition: 1);

        region.Tell(FlushCheckpoints.Instance, TestActor);
        ExpectMsg<CheckpointsFlushed>(TimeSpan.FromSeconds(10));
        Assert.Equal(11, durable.Get(Topic, 0));
        Assert.Equal(21, durable.Get(Topic, 1));
    }

    [Fact]
    public async Task Should_drop_an_idle_account_but_never_before_the_rules_retention()
    {
        var rules = ShortWindows();
        var accounts = new AccountSettings { PassivateAfter = TimeSpan.FromSeconds(1), CheckpointInterval = TimeSpan.FromMilliseconds(100) };
        Assert.Equal(TimeSpan.FromSeconds(1), accounts.PassivationFor(rules));
        Assert.Equal(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30), new AccountSettings().PassivationFor(new RuleSettings()));

        var store = new RemovalsSeen();
        var context = Context(store, rules, accounts);
        var region = StartPartitions(context);
        Score(region, Tx(0, account: "ACC-IDLE"), 0);
        Assert.Equal(1, context.Counter.Count);

        await EventuallyAsync(() => context.Counter.Count == 0, "the idle account was never dropped");
        Assert.False(Inspect(region, "ACC-IDLE").Known);
        // Dropped from the checkpoint too, once a save has taken its removal.
        await EventuallyAsync(() => store.Saved("ACC-IDLE"), "no save removed the idle account");
        var checkpoint = await store.ClaimAsync(new PartitionKey("spec-group", Topic, 0));
        Assert.DoesNotContain("ACC-IDLE", checkpoint.Accounts.Keys);
    }

    [Fact]
    public async Task Should_save_what_a_failed_save_held_with_a_later_one()
    {
        var store = new FailingSaves(failures: 2);
        var durable = new DurableOffsets();
        var region = StartPartitions(Context(store, durable: durable));
        Score(region, Tx(0, account: "ACC-KEPT-1"), 0);
        Score(region, Tx(1, account: "ACC-KEPT-2"), 1);

        await EventuallyAsync(() => durable.Get(Topic, 0) == 2, "no save worked after the failed ones");
        Assert.True(store.Saves > 2);
        var checkpoint = await store.ClaimAsync(new PartitionKey("spec-group", Topic, 0));
        Assert.Equal(["ACC-KEPT-1", "ACC-KEPT-2"], checkpoint.Accounts.Keys.Order());
        Assert.Equal(1, AccountStateCodec.Read(checkpoint.Accounts["ACC-KEPT-1"]).EventCount);
    }

    [Fact]
    public async Task Should_refuse_a_store_that_reads_the_changed_accounts_after_its_save_completed()
    {
        var store = new ReadsLate(lateSaves: 1);
        var durable = new DurableOffsets();
        var region = StartPartitions(Context(store, durable: durable));
        Score(region, Tx(0, 950m, account: "ACC-LATE-1"), 0);
        await EventuallyAsync(() => store.LateError is not null, "the late read was not refused");
        var late = Assert.IsType<InvalidOperationException>(store.LateError);
        Assert.Contains("after their save completed", late.Message);

        // Later saves, read in time, keep working.
        Score(region, Tx(1, 950m, account: "ACC-LATE-2"), 1);
        await EventuallyAsync(() => durable.Get(Topic, 0) == 2, "no save worked after the late reader");
        var checkpoint = await store.ClaimAsync(new PartitionKey("spec-group", Topic, 0));
        var restored = AccountStateCodec.Read(checkpoint.Accounts["ACC-LATE-2"]);
        Assert.Equal(1, restored.EventCount);
        Assert.NotEmpty(restored.Window());
    }

    [Fact]
    public async Task Should_hand_the_store_the_accounts_as_of_the_save_while_it_goes_on_scoring()
    {
        var store = new ReadsWhenReleased();
        var region = StartPartitions(Context(store));
        var flagged = Tx(0, 950m, account: "ACC-SNAP");
        var first = Score(region, flagged, 0);
        Assert.NotEmpty(first.Rules);
        await EventuallyAsync(() => store.Pending, "no save started");

        // Scored while the save waits for the store: the save is of the state before it.
        Assert.NotEmpty(Score(region, Tx(1, 960m, account: "ACC-SNAP"), 1).Rules);
        var read = await store.ReleaseAsync();

        var saved = AccountStateCodec.Read(Assert.Single(read).Value);
        Assert.Equal([950m], saved.Window().Select(w => w.Amount));
        Assert.Equal(1, saved.RememberedIds);
        Assert.Equal(2, Inspect(region, "ACC-SNAP").Window.Count);
        // The account kept its own verdicts with rules: a redelivery gets its first verdict, rules and all.
        Assert.Equal(first, Score(region, flagged, 0));
    }

    /// <summary>A store whose first save reads its accounts only when the spec releases it, on another thread.</summary>
    private sealed class ReadsWhenReleased : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<Dictionary<string, byte[]>> _read = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _saves;

        public bool Pending => Volatile.Read(ref _saves) > 0;

        public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => _inner.ClaimAsync(key);

        public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write)
        {
            if (Interlocked.Increment(ref _saves) > 1)
            {
                return _inner.SaveAsync(key, epoch, write);
            }

            return Task.Run(async () =>
            {
                await _release.Task;
                var read = new Dictionary<string, byte[]>();
                write.Changed.ForEach((account, state) => read[System.Text.Encoding.UTF8.GetString(account)] = state.ToArray());
                _read.SetResult(read);
            });
        }

        public Task<Dictionary<string, byte[]>> ReleaseAsync()
        {
            _release.SetResult();
            return _read.Task;
        }
    }

    /// <summary>A store whose first saves complete at once and read the accounts afterwards, on another thread (a defect).</summary>
    /// <summary>A store in memory that tells which removals it has saved.</summary>
    private sealed class RemovalsSeen : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _removed = new();

        public bool Saved(string removal) => _removed.ContainsKey(removal);

        public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => _inner.ClaimAsync(key);

        public async Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write)
        {
            await _inner.SaveAsync(key, epoch, write);
            foreach (var id in write.Removed)
            {
                _removed[id] = true;
            }
        }
    }

    private sealed class ReadsLate(int lateSaves) : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();
        private int _saves;

        public Exception? LateError { get; private set; }

        public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => _inner.ClaimAsync(key);

        public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write)
        {
            if (Interlocked.Increment(ref _saves) > lateSaves)
            {
                return _inner.SaveAsync(key, epoch, write);
            }

            // Says it saved, then reads (the partition has taken the save as done by then, and fills its snapshot again).
            _ = Task.Run(async () =>
            {
                await Task.Delay(300);
                try
                {
                    write.Changed.ForEach((_, _) => { });
                }
                catch (Exception e)
                {
                    LateError = e;
                }
            });
            return Task.CompletedTask;
        }
    }

    /// <summary>An in-memory store whose first saves fail (say, a database restarting).</summary>
    private sealed class FailingSaves(int failures) : ICheckpointStore
    {
        private readonly InMemoryCheckpointStore _inner = new();
        private int _saves;

        public int Saves => Volatile.Read(ref _saves);

        public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => _inner.ClaimAsync(key);

        public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write) =>
            Interlocked.Increment(ref _saves) <= failures
                ? Task.FromException(new IOException("database restarting"))
                : _inner.SaveAsync(key, epoch, write);
    }

    private static RuleSettings ShortWindows() => new()
    {
        AllowedLateness = TimeSpan.Zero,
        VelocityCount = { Window = TimeSpan.FromMilliseconds(500) },
        VelocityAmount = { Window = TimeSpan.FromMilliseconds(500) },
        SmallThenLarge = { Window = TimeSpan.FromMilliseconds(500) },
        ImpossibleTravel = { Window = TimeSpan.FromMilliseconds(500) },
    };
}

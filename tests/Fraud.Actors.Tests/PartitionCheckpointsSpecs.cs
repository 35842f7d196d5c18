using System.Text;
using Fraud.Actors.Partitions;
using Fraud.Actors.State;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>A partition's checkpoint bookkeeping, without an actor: what a save holds, when, and after a failure.</summary>
public sealed class PartitionCheckpointsSpecs
{
    private static (AccountTable Accounts, int[] Rows) Accounts(params string[] ids)
    {
        var table = new AccountTable();
        var rows = ids.Select(id =>
        {
            var row = table.Add(id);
            Score(table.State(row), Tx(0, 10m, account: id));
            return row;
        }).ToArray();
        return (table, rows);
    }

    private static List<string> Saved(Fraud.Actors.Checkpoints.CheckpointWrite write)
    {
        var ids = new List<string>();
        write.Changed.ForEach((account, _) => ids.Add(Encoding.UTF8.GetString(account)));
        return ids;
    }

    [Fact]
    public void Should_save_each_changed_account_once_as_of_the_last_offset_scored()
    {
        var (accounts, rows) = Accounts("A", "B", "C");
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(nextOffset: 5, reset: false);
        Assert.True(checkpoints.Idle);

        checkpoints.Changed(accounts, rows[0]);
        checkpoints.Changed(accounts, rows[0]);
        checkpoints.Changed(accounts, rows[2]);
        checkpoints.Scored(9);
        var write = checkpoints.StartSave(accounts)!;

        Assert.Equal(10, write.NextOffset);
        Assert.Equal(["A", "C"], Saved(write).Order());
        Assert.Null(checkpoints.StartSave(accounts)); // one save at a time
        Assert.False(checkpoints.Idle);
        checkpoints.SaveCompleted(10);
        Assert.Equal(10, checkpoints.DurableOffset);
        Assert.True(checkpoints.Idle);
        Assert.Null(checkpoints.StartSave(accounts)); // nothing new
    }

    [Fact]
    public void Should_save_every_account_again_and_the_removals_after_a_failed_save()
    {
        var (accounts, rows) = Accounts("A", "B", "C");
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(-1, reset: false);
        checkpoints.Changed(accounts, rows[1]);
        checkpoints.Removed("GONE");
        checkpoints.Scored(3);
        var failed = checkpoints.StartSave(accounts)!;
        Assert.Equal(["B"], Saved(failed));

        checkpoints.SaveFailed(accounts, failed);
        var retry = checkpoints.StartSave(accounts)!;

        Assert.Equal(["A", "B", "C"], Saved(retry).Order()); // rows may have changed hands since: all of them
        Assert.Equal(["GONE"], retry.Removed);
        Assert.Equal(4, retry.NextOffset);
        Assert.Equal(-1, checkpoints.DurableOffset); // nothing durable until a save lands
    }

    [Fact]
    public void Should_drop_what_was_saved_before_at_the_first_save_after_a_reset()
    {
        var (accounts, _) = Accounts();
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(-1, reset: true);

        var write = checkpoints.StartSave(accounts)!;

        Assert.True(write.Reset);
        Assert.Empty(Saved(write));
    }

    [Fact]
    public void Should_forget_a_removal_when_the_account_comes_back_before_it_is_saved()
    {
        var (accounts, rows) = Accounts("BACK");
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(0, reset: false);
        checkpoints.Removed("BACK");
        checkpoints.Added("BACK");
        checkpoints.Changed(accounts, rows[0]);

        var write = checkpoints.StartSave(accounts)!;

        Assert.Empty(write.Removed);
        Assert.Equal(["BACK"], Saved(write));
    }

    [Fact]
    public void Should_refuse_a_late_reading_of_a_completed_save()
    {
        var (accounts, rows) = Accounts("A");
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(0, reset: false);
        checkpoints.Changed(accounts, rows[0]);
        var write = checkpoints.StartSave(accounts)!;
        checkpoints.SaveCompleted(0);

        Assert.Throws<InvalidOperationException>(() => Saved(write));
    }
}

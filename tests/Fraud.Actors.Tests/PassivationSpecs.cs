using Fraud.Actors.Partitions;
using Fraud.Actors.State;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>Idle accounts leave a partition, and a mostly empty arena makes way for a smaller one.</summary>
public sealed class PassivationSpecs
{
    [Fact]
    public void Should_drop_only_accounts_idle_past_the_horizon_and_save_their_removal()
    {
        var table = new AccountTable();
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(0, reset: false);
        foreach (var (id, seen) in new[] { ("OLD", 100L), ("NEW", 300L) })
        {
            var row = table.Add(id);
            Score(table.State(row), Tx(0, 10m, account: id));
            table.LastSeenTicks(row) = seen;
        }

        var (after, dropped) = Passivation.DropIdle(table, horizonTicks: 200, checkpoints);

        Assert.Equal(1, dropped);
        Assert.Equal(0, after.Find("OLD"));
        Assert.NotEqual(0, after.Find("NEW"));
        Assert.Equal(["OLD"], checkpoints.StartSave(after)!.Removed);
    }

    [Fact]
    public void Should_move_the_rest_into_a_new_arena_when_most_of_the_old_one_is_free_keeping_each_state()
    {
        var table = new AccountTable();
        var checkpoints = new PartitionCheckpoints();
        checkpoints.Restored(0, reset: false);
        for (var i = 0; i < 20_000; i++)
        {
            var row = table.Add($"ACC-{i}");
            for (var k = 0; k < 4; k++)
            {
                Score(table.State(row), Tx(k, 10m + k, account: $"ACC-{i}", country: "FR"));
            }

            table.LastSeenTicks(row) = i < 19_000 ? 1 : 1_000;
            if (i >= 19_990)
            {
                checkpoints.Changed(table, row);
            }
        }

        var before = table.State(table.Find("ACC-19999")).Window();
        var (after, dropped) = Passivation.DropIdle(table, horizonTicks: 500, checkpoints);

        Assert.Equal(19_000, dropped);
        Assert.NotSame(table, after);
        Assert.True(after.Arena.Bytes < table.Arena.Bytes / 2, $"{after.Arena.Bytes} of {table.Arena.Bytes} bytes");
        Assert.Equal(before, after.State(after.Find("ACC-19999")).Window());
        Assert.Equal(10, checkpoints.StartSave(after)!.Changed.Count); // the changed ones, by their new rows
    }

    [Fact]
    public void Should_look_at_half_the_idle_time_and_at_most_once_a_minute()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Passivation.Interval(TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromMinutes(1), Passivation.Interval(TimeSpan.FromMinutes(10)));
    }
}

using Fraud.Actors.State;
using Fraud.Actors.Partitions;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using static Fraud.Actors.Tests.TestTransactions;

namespace Fraud.Actors.Tests;

/// <summary>A partition's accounts as rows of one arena, by id: what a dictionary of states did, without the objects.</summary>
public sealed class AccountTableSpecs
{
    // Ids of every shape a table must tell apart: ASCII, accented and other scripts, surrogate pairs, the empty id,
    // long ones, and ids equal but for one character.
    private static string IdFor(Random random, int n) => (n % 7) switch
    {
        0 => $"card-{n}",
        1 => $"Zoë-{n}",
        2 => $"账户{n}",
        3 => $"🙂{n}🙂",
        4 => n % 70 == 4 ? string.Empty : $"card-{n}x",
        5 => new string('a', 40 + n % 50) + n,
        _ => $"card-{n / 10}-{(char)('a' + n % 10)}",
    };

    [Fact]
    public void Should_find_add_and_remove_accounts_as_a_dictionary_would_through_growth_and_deletions()
    {
        var random = new Random(11);
        var table = new AccountTable();
        var model = new Dictionary<string, int>();
        for (var step = 0; step < 40_000; step++)
        {
            var id = IdFor(random, random.Next(3_000));
            var row = table.Find(id);
            Assert.Equal(model.GetValueOrDefault(id), row);
            if (row == 0)
            {
                row = table.Add(id);
                Assert.NotEqual(0, row);
                Assert.DoesNotContain(row, model.Values);
                model[id] = row;
                table.LastSeenTicks(row) = step;
            }
            else if (random.Next(3) == 0)
            {
                table.Remove(row); // deletions in the middle of probe runs, then the run is searched again
                model.Remove(id);
            }

            Assert.Equal(model.Count, table.Count);
        }

        foreach (var (id, row) in model)
        {
            Assert.Equal(row, table.Find(id));
            Assert.Equal(id, table.IdOf(row));
        }

        Assert.Equal(model.Values.Order(), table.Rows().Order());
        Assert.Equal(0, table.Find("never-added"));
    }

    [Fact]
    public void Should_keep_each_accounts_state_in_its_own_row()
    {
        var table = new AccountTable();
        var a = table.Add("A");
        var b = table.Add("B");
        Score(table.State(a), Tx(0, 950m, "A", "US", "a-1"));
        Score(table.State(b), Tx(0, 10m, "B", "JP", "b-1"));
        Score(table.State(b), Tx(5, 11m, "B", "JP", "b-2"));

        Assert.Equal(1, table.State(a).EventCount);
        Assert.Equal(2, table.State(b).EventCount);
        // A duplicate finds its first verdict, with its rules, in its own account's row.
        Assert.NotEmpty(Score(table.State(a), Tx(9, 950m, "A", "US", "a-1")).Rules);
        Assert.Empty(Score(table.State(b), Tx(9, 10m, "B", "JP", "b-1")).Rules);
    }

    [Fact]
    public void Should_give_a_removed_accounts_row_and_blocks_to_the_next_new_account_cleared()
    {
        var table = new AccountTable();
        var first = table.Add("first-account-with-a-long-id");
        for (var k = 0; k < 3; k++)
        {
            Score(table.State(first), Tx(k, 950m, "first-account-with-a-long-id"));
        }

        table.Changed(first) = true;
        var bytes = table.Arena.Bytes;
        table.Remove(first);
        Assert.Equal(0, table.Arena.RowsInUse);

        var next = table.Add("next-account-with-a-longer-id"); // its id needs a block of the same length
        Assert.Equal(first, next);
        Assert.False(table.Changed(next));
        Assert.Equal(0, table.State(next).EventCount);
        Assert.Equal(0, table.State(next).RememberedIds);
        Assert.Empty(Score(table.State(next), Tx(100, 7m, "next-account-with-a-longer-id", "JP", "tx-0")).Rules);
        Assert.Equal(bytes, table.Arena.Bytes);
    }

    [Fact]
    public void Should_move_every_account_unchanged_into_a_compacted_table()
    {
        var random = new Random(5);
        var table = new AccountTable();
        var ids = Enumerable.Range(0, 20_000).Select(n => IdFor(random, n)).Distinct().ToList();
        foreach (var id in ids)
        {
            var row = table.Add(id);
            for (var k = 0; k < 3; k++)
            {
                Score(table.State(row), Tx(k * 10, k == 2 ? 950m : 10m + k, id, k == 2 ? "JP" : "US", $"{id}/{k}"));
            }

            table.Changed(row) = id.Length % 2 == 0;
        }

        var kept = ids.Where((_, i) => i % 20 == 0).ToList();
        foreach (var id in ids.Where((_, i) => i % 20 != 0))
        {
            table.Remove(table.Find(id));
        }

        Assert.True(table.Arena.MostlyFree, $"{table.Arena.Bytes} bytes");
        var before = kept.ToDictionary(id => id, id => AccountStateCodec.Write(table.State(table.Find(id))));
        var compacted = table.Compacted();

        Assert.Equal(kept.Count, compacted.Count);
        Assert.True(compacted.Arena.Bytes * 8 < table.Arena.Bytes, $"{compacted.Arena.Bytes} bytes moved out of {table.Arena.Bytes}");
        foreach (var id in kept)
        {
            var row = compacted.Find(id);
            Assert.NotEqual(0, row);
            Assert.Equal(id, compacted.IdOf(row));
            Assert.Equal(id.Length % 2 == 0, compacted.Changed(row));
            Assert.Equal(before[id], AccountStateCodec.Write(compacted.State(row)));
            // A duplicate of the flagged transaction: its verdict with rules moved with the row.
            Assert.NotEmpty(Score(compacted.State(row), Tx(25, 950m, id, "JP", $"{id}/2")).Rules);
        }
    }
}

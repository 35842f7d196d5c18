using Fraud.Actors.Checkpoints;
using Fraud.Checkpoints;
using Fraud.Checkpoints.Log;

namespace Fraud.Checkpoints.Tests;

/// <summary>The checkpoint store's contract, on each database it runs on.</summary>
public abstract class CheckpointStoreSpecs
{
    private static readonly PartitionKey P0 = new("group-a", "queueing.transactions", 0);

    protected abstract SqlCheckpointStore Open();

    /// <summary>Runs <paramref name="sql"/> on the store's database and returns its first column as a number (or -1 for none).</summary>
    protected abstract Task<long> ScalarAsync(string sql);

    private static byte[] State(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Should_raise_the_epoch_at_every_claim_and_start_empty()
    {
        using var store = Open();
        var first = await store.ClaimAsync(P0);
        Assert.Equal(1, first.Epoch);
        Assert.Equal(-1, first.NextOffset);
        Assert.Empty(first.Accounts);
        Assert.Equal(2, (await store.ClaimAsync(P0)).Epoch);
    }

    [Fact]
    public async Task Should_give_the_next_claim_the_latest_save()
    {
        using var store = Open();
        var epoch = (await store.ClaimAsync(P0)).Epoch;
        await store.SaveAsync(P0, epoch, new CheckpointWrite(10, [new("A", State("a1")), new("B", State("b1"))], []));
        await store.SaveAsync(P0, epoch, new CheckpointWrite(25, [new("A", State("a2"))], ["B"]));

        var next = await store.ClaimAsync(P0);
        Assert.Equal(25, next.NextOffset);
        Assert.Equal(["A"], next.Accounts.Keys);
        Assert.Equal(State("a2"), next.Accounts["A"]);
    }

    [Fact]
    public async Task Should_refuse_a_save_by_an_owner_that_was_fenced()
    {
        using var store = Open();
        var old = (await store.ClaimAsync(P0)).Epoch;
        await store.SaveAsync(P0, old, new CheckpointWrite(5, [new("A", State("old"))], []));
        var current = (await store.ClaimAsync(P0)).Epoch;

        await Assert.ThrowsAsync<FencedException>(() => store.SaveAsync(P0, old, new CheckpointWrite(9, [new("A", State("late"))], [])));

        await store.SaveAsync(P0, current, new CheckpointWrite(7, [], []));
        var seen = await store.ClaimAsync(P0);
        Assert.Equal(7, seen.NextOffset);
        Assert.Equal(State("old"), seen.Accounts["A"]); // the refused save wrote nothing
    }

    [Fact]
    public async Task Should_drop_every_saved_account_on_a_reset()
    {
        using var store = Open();
        var epoch = (await store.ClaimAsync(P0)).Epoch;
        await store.SaveAsync(P0, epoch, new CheckpointWrite(500, [new("OLD-1", State("o1")), new("OLD-2", State("o2"))], []));
        await store.SaveAsync(P0, epoch, new CheckpointWrite(3, [new("NEW", State("n"))], [], Reset: true));

        var back = await store.ClaimAsync(P0);
        Assert.Equal(3, back.NextOffset);
        Assert.Equal(["NEW"], back.Accounts.Keys);
    }

    [Fact]
    public async Task Should_write_many_accounts_at_once_and_keep_groups_and_partitions_apart()
    {
        using var store = Open();
        var epoch = (await store.ClaimAsync(P0)).Epoch;
        var many = Enumerable.Range(0, 1_234).Select(i => new KeyValuePair<string, byte[]>($"ACC-{i}", State($"s{i}"))).ToList();
        await store.SaveAsync(P0, epoch, new CheckpointWrite(1_234, many, []));
        await store.SaveAsync(P0, epoch, new CheckpointWrite(1_300, [], many.Take(600).Select(m => m.Key).ToList()));
        // Saved again (in statements of many rows): the newer state replaces the older one.
        await store.SaveAsync(P0, epoch, new CheckpointWrite(1_301, many.Skip(1_000).Select(m => new KeyValuePair<string, byte[]>(m.Key, State("again-" + m.Key))).ToList(), []));

        var back = await store.ClaimAsync(P0);
        Assert.Equal(634, back.Accounts.Count);
        Assert.False(back.Accounts.ContainsKey("ACC-599"));
        Assert.Equal(State("s600"), back.Accounts["ACC-600"]);
        Assert.Equal(State("again-ACC-1000"), back.Accounts["ACC-1000"]);
        Assert.Equal(State("again-ACC-1233"), back.Accounts["ACC-1233"]);
        Assert.Empty((await store.ClaimAsync(P0 with { Group = "group-b" })).Accounts);
        Assert.Empty((await store.ClaimAsync(P0 with { Partition = 1 })).Accounts);
    }

    [Fact]
    public async Task Should_compact_the_log_into_the_live_accounts_and_keep_every_latest_state()
    {
        using var store = Open();
        var epoch = (await store.ClaimAsync(P0)).Epoch;
        // 300 saves of a few accounts each, some saved again, some removed: more chunks than the log keeps before it
        // compacts, so the log is compacted at least once on the way.
        var expected = new Dictionary<string, byte[]>();
        for (var save = 0; save < 300; save++)
        {
            var changed = new List<KeyValuePair<string, byte[]>>();
            for (var k = 0; k < 3; k++)
            {
                var account = $"ACC-{(save * 7 + k * 13) % 500}";
                changed.Add(new(account, State($"{account}@{save}")));
                expected[account] = State($"{account}@{save}");
            }

            var removed = save % 5 == 4 ? new List<string> { $"ACC-{(save * 7) % 500}" } : [];
            foreach (var account in removed)
            {
                changed.RemoveAll(c => c.Key == account);
                expected.Remove(account);
            }

            await store.SaveAsync(P0, epoch, new CheckpointWrite(save + 1, changed, removed));
        }

        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM fraud_account_log WHERE base = 1") > 0, "the log was never compacted");
        Assert.True(await ScalarAsync("SELECT COUNT(*) FROM fraud_account_log") < 300, "the log keeps a chunk per save");
        var back = await store.ClaimAsync(P0);
        Assert.Equal(300, back.NextOffset);
        Assert.Equal(expected.Keys.Order(), back.Accounts.Keys.Order());
        foreach (var (account, state) in expected)
        {
            Assert.Equal(state, back.Accounts[account]);
        }
    }

    [Fact]
    public async Task Should_compact_the_partitions_of_one_topic_at_different_sizes_so_that_they_do_not_all_compact_at_once()
    {
        using var store = Open();
        PartitionKey[] keys = [P0, P0 with { Partition = 7 }];
        var epochs = new[] { (await store.ClaimAsync(keys[0])).Epoch, (await store.ClaimAsync(keys[1])).Epoch };
        var firstCompaction = new int?[2];
        // The same traffic on both: 400 new accounts of 150 bytes per save (about 64 KB).
        for (var save = 1; save <= 160 && firstCompaction.Any(c => c is null); save++)
        {
            for (var k = 0; k < 2; k++)
            {
                var changed = Enumerable.Range(0, 400).Select(i => new KeyValuePair<string, byte[]>($"ACC-{save}-{i}", new byte[150])).ToList();
                await store.SaveAsync(keys[k], epochs[k], new CheckpointWrite(save, changed, []));
                if (firstCompaction[k] is null && await ScalarAsync($"SELECT COUNT(*) FROM fraud_account_log WHERE part = {keys[k].Partition} AND base = 1") > 0)
                {
                    firstCompaction[k] = save;
                }
            }
        }

        Assert.NotNull(firstCompaction[0]);
        Assert.NotNull(firstCompaction[1]);
        Assert.True(firstCompaction[1] > firstCompaction[0] * 1.5, $"partition 0 compacted at save {firstCompaction[0]}, partition 7 at {firstCompaction[1]}");
    }

    [Fact]
    public async Task Should_store_each_chunk_as_its_bytes_alone_though_its_pooled_array_held_a_larger_one_before()
    {
        using var store = Open();
        var epoch = (await store.ClaimAsync(P0)).Epoch;
        // A large save fills whole chunks; the small ones after it reuse those arrays, whose tails still hold its bytes.
        var many = Enumerable.Range(0, 3_000).Select(i => new KeyValuePair<string, byte[]>($"BULK-{i}", new byte[60])).ToList();
        await store.SaveAsync(P0, epoch, new CheckpointWrite(10, many, []));
        for (var i = 0; i < 5; i++)
        {
            await store.SaveAsync(P0, epoch, new CheckpointWrite(11 + i, [new($"SMALL-{i}", State("s"))], i == 0 ? many.Select(a => a.Key).ToList() : []));
        }

        Assert.Equal(0, await ScalarAsync("SELECT SUM(length(entries) - n_bytes) FROM fraud_account_log"));
        Assert.True(await ScalarAsync("SELECT MIN(length(entries)) FROM fraud_account_log") < 100);
        var claimed = await store.ClaimAsync(P0);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"SMALL-{i}"), claimed.Accounts.Keys.Order());
        Assert.Equal(15, claimed.NextOffset);
    }

    [Fact]
    public async Task Should_move_accounts_saved_a_row_each_by_an_earlier_version_into_the_log()
    {
        using var store = Open();
        var epoch = (await store.ClaimAsync(P0)).Epoch;
        await store.SaveAsync(P0, epoch, new CheckpointWrite(40, [new("NEW", State("n"))], []));
        // The first layout: a row per account (a database written before the log).
        await ScalarAsync("INSERT INTO fraud_accounts (grp, topic, part, account, state) VALUES ('group-a', 'queueing.transactions', 0, 'OLD', X'6F6C64')");

        var migrated = await store.ClaimAsync(P0);
        Assert.Equal(State("old"), migrated.Accounts["OLD"]);
        Assert.Equal(State("n"), migrated.Accounts["NEW"]);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM fraud_accounts"));
        var again = await store.ClaimAsync(P0);
        Assert.Equal(["NEW", "OLD"], again.Accounts.Keys.Order());
        Assert.Equal(40, again.NextOffset);
    }
}

public sealed class SqliteCheckpointStoreSpecs : CheckpointStoreSpecs, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"fraud-checkpoints-{Guid.NewGuid():N}.db");

    protected override SqlCheckpointStore Open() => SqlCheckpointStore.Sqlite($"Data Source={_file}");

    protected override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value) : -1;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(file);
        }
    }
}

public sealed class PostgresCheckpointStoreSpecs(ScratchPostgres postgres) : CheckpointStoreSpecs, IClassFixture<ScratchPostgres>
{
    // Each spec gets its own database, so that they start empty.
    private readonly string _database = "spec_" + Guid.NewGuid().ToString("N")[..12];

    protected override SqlCheckpointStore Open()
    {
        using (var admin = new Npgsql.NpgsqlConnection(postgres.ConnectionString))
        {
            admin.Open();
            using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            create.ExecuteNonQuery();
        }

        return SqlCheckpointStore.Postgres(ConnectionString);
    }

    private string ConnectionString => postgres.ConnectionString.Replace("Database=postgres", $"Database={_database}");

    protected override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // PostgreSQL spells a blob literal differently from SQLite.
        await using var command = new Npgsql.NpgsqlCommand(sql.Replace("X'6F6C64'", "'\\x6F6C64'::bytea"), connection);
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? Convert.ToInt64(value) : -1;
    }
}

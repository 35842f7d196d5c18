using Fraud.Actors.Checkpoints;
using Fraud.Host.Checkpoints;

namespace Fraud.Host.Tests;

/// <summary>The checkpoint store's contract, on each database it runs on.</summary>
public abstract class CheckpointStoreSpecs
{
    private static readonly PartitionKey P0 = new("group-a", "queueing.transactions", 0);

    protected abstract SqlCheckpointStore Open();

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
}

public sealed class SqliteCheckpointStoreSpecs : CheckpointStoreSpecs, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"fraud-checkpoints-{Guid.NewGuid():N}.db");

    protected override SqlCheckpointStore Open() => SqlCheckpointStore.Sqlite($"Data Source={_file}");

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

        return SqlCheckpointStore.Postgres(postgres.ConnectionString.Replace("Database=postgres", $"Database={_database}"));
    }
}

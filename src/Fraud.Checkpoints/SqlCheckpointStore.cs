using System.Data.Common;
using Fraud.Actors.Checkpoints;
using Fraud.Checkpoints.Log;
using Fraud.Checkpoints.Sql;
using static Fraud.Checkpoints.Sql.Sql;

namespace Fraud.Checkpoints;

/// <summary>
/// Partition checkpoints in a SQL database: SQLite (a file, the single-node default) or PostgreSQL (what a cluster and
/// docker-compose use). One row per partition (owner epoch, offset the accounts reflect) and, per partition, a log of
/// account chunks (<see cref="AccountLogRows"/>). A claim raises the epoch in the same transaction that reads the
/// checkpoint; a save updates the partition row only where the epoch is still the caller's, then appends (and maybe
/// compacts), all in one transaction: an earlier owner's late save changes nothing, and a reader never sees half a save.
/// </summary>
public sealed class SqlCheckpointStore : ICheckpointStore, IDisposable
{
    private readonly SqlDialect _dialect;
    private readonly AccountLogRows _log;
    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _schemaReady;

    private SqlCheckpointStore(SqlDialect dialect)
    {
        _dialect = dialect;
        _log = new AccountLogRows(dialect);
    }

    /// <summary>A SQLite file; its work runs on one thread of its own, at a lower priority (see <see cref="CheckpointThreadNiceness"/>).</summary>
    public static SqlCheckpointStore Sqlite(string connectionString) => new(new SqliteDialect(connectionString));

    /// <summary>How much lower the SQLite thread's priority is than the process's (Linux nice value).</summary>
    public const int CheckpointThreadNiceness = SqliteDialect.ThreadNiceness;

    public static SqlCheckpointStore Postgres(string connectionString) => new(new PostgresDialect(connectionString));

    public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => _dialect.Run(() => ClaimCoreAsync(key));

    public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write)
    {
        // Encoded into the log's (pooled) chunks on the store's side, not the caller's: the caller is a partition actor,
        // whose records wait while it is busy (see ChangedAccounts for how long the accounts stay readable).
        var (nextOffset, reset) = (write.NextOffset, write.Reset);
        return _dialect.Run(async () =>
        {
            using var chunks = AccountLog.Write(write.Changed, write.Removed);
            await SaveCoreAsync(key, epoch, nextOffset, reset, chunks);
            return true;
        });
    }

    public void Dispose()
    {
        _dialect.Dispose();
        _schema.Dispose();
    }

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _dialect.CreateConnection();
        await connection.OpenAsync();
        await _dialect.PrepareAsync(connection);
        await EnsureSchemaAsync(connection);
        return connection;
    }

    private async Task EnsureSchemaAsync(DbConnection connection)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schema.WaitAsync();
        try
        {
            if (_schemaReady)
            {
                return;
            }

            // fraud_accounts is the first layout (a row per account): still read, and moved into the log at the next
            // claim, so that a file or database written by an earlier version keeps its accounts.
            var (integer, blob, options) = _dialect.Types;
            var ddl = $"""
                CREATE TABLE IF NOT EXISTS fraud_partitions (
                    grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL,
                    epoch {integer} NOT NULL, next_offset {integer} NOT NULL,
                    PRIMARY KEY (grp, topic, part));
                CREATE TABLE IF NOT EXISTS fraud_accounts (
                    grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL, account TEXT NOT NULL,
                    state {blob} NOT NULL,
                    PRIMARY KEY (grp, topic, part, account)){options};
                CREATE TABLE IF NOT EXISTS fraud_account_log (
                    grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL, seq {integer} NOT NULL,
                    base INTEGER NOT NULL, n_bytes INTEGER NOT NULL, entries {blob} NOT NULL,
                    PRIMARY KEY (grp, topic, part, seq));
                """;
            try
            {
                await Execute(connection, null, ddl);
            }
            catch (Exception e) when (_dialect.LostTableRace(e))
            {
            }

            _schemaReady = true;
        }
        finally
        {
            _schema.Release();
        }
    }

    private async Task<PartitionCheckpoint> ClaimCoreAsync(PartitionKey key)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Execute(connection, transaction,
            """
            INSERT INTO fraud_partitions (grp, topic, part, epoch, next_offset) VALUES (@g, @t, @p, 1, -1)
            ON CONFLICT (grp, topic, part) DO UPDATE SET epoch = fraud_partitions.epoch + 1
            """, Key(key));

        long epoch, nextOffset;
        await using (var command = Command(connection, transaction, "SELECT epoch, next_offset FROM fraud_partitions WHERE grp = @g AND topic = @t AND part = @p", Key(key)))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            epoch = reader.GetInt64(0);
            nextOffset = reader.GetInt64(1);
        }

        using var accounts = await _log.ReadAsync(connection, transaction, key);
        await transaction.CommitAsync();
        return new PartitionCheckpoint(epoch, nextOffset, accounts.ToDictionary());
    }

    private async Task SaveCoreAsync(PartitionKey key, long epoch, long nextOffset, bool reset, AccountLog.Chunks chunks)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // First, and under the row's lock until commit: only the current owner may write.
        var owned = await Execute(connection, transaction,
            "UPDATE fraud_partitions SET next_offset = @o WHERE grp = @g AND topic = @t AND part = @p AND epoch = @e",
            [.. Key(key), ("@o", nextOffset), ("@e", epoch)]);
        if (owned == 0)
        {
            await transaction.RollbackAsync();
            throw new FencedException(key, epoch);
        }

        if (reset)
        {
            await AccountLogRows.DeleteAsync(connection, transaction, key);
        }

        if (chunks.Count > 0)
        {
            await _log.AppendAsync(connection, transaction, key, chunks);
        }

        await transaction.CommitAsync();
    }
}

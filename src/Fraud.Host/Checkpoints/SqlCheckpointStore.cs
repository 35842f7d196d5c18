using System.Data.Common;
using Fraud.Actors.Checkpoints;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fraud.Host.Checkpoints;

/// <summary>
/// Partition checkpoints in a SQL database: SQLite (a file, the single-node default) or PostgreSQL (what a cluster
/// and docker-compose use). Two tables: one row per partition (owner epoch, offset the accounts reflect) and one row
/// per account (its encoded state). A claim raises the epoch in the same transaction that reads the checkpoint; a save
/// updates the partition row only where the epoch is still the caller's, then upserts and deletes accounts, all in one
/// transaction: an earlier owner's late save changes nothing, and a reader never sees half a save.
/// </summary>
public sealed class SqlCheckpointStore : ICheckpointStore, IDisposable
{
    private readonly Func<DbConnection> _open;
    private readonly bool _postgres;
    private readonly SingleThreadScheduler? _sqliteThread;
    private readonly NpgsqlDataSource? _postgresSource;
    private readonly SemaphoreSlim _schema = new(1, 1);
    private bool _schemaReady;

    private SqlCheckpointStore(Func<DbConnection> open, bool postgres, SingleThreadScheduler? sqliteThread, NpgsqlDataSource? source)
    {
        _open = open;
        _postgres = postgres;
        _sqliteThread = sqliteThread;
        _postgresSource = source;
    }

    /// <summary>
    /// A SQLite file. Microsoft.Data.Sqlite's async methods run synchronously, so every call runs on one thread of the
    /// store's own: a save never blocks an actor's dispatcher or a thread-pool thread that Kafka's callbacks need.
    /// </summary>
    public static SqlCheckpointStore Sqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
        return new SqlCheckpointStore(() => new SqliteConnection(builder.ToString()), postgres: false, new SingleThreadScheduler("sqlite-checkpoints"), null);
    }

    public static SqlCheckpointStore Postgres(string connectionString)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        return new SqlCheckpointStore(source.CreateConnection, postgres: true, null, source);
    }

    public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => Run(() => ClaimCoreAsync(key));

    public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write) => Run(async () =>
    {
        await SaveCoreAsync(key, epoch, write);
        return true;
    });

    public void Dispose()
    {
        _sqliteThread?.Dispose();
        _postgresSource?.Dispose();
        _schema.Dispose();
    }

    private Task<T> Run<T>(Func<Task<T>> work) =>
        _sqliteThread is null
            ? work()
            : Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.None, _sqliteThread).Unwrap();

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _open();
        await connection.OpenAsync();
        if (!_postgres)
        {
            await Execute(connection, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        }

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

            // SQLite keeps an ordinary table in a B-tree by row id and a text primary key in a second one, so every
            // account saved was two B-tree inserts; WITHOUT ROWID keeps the rows in the primary key's own tree. (On cold
            // traffic, one row per new account each second, the checkpoint thread takes a fifth of the node's CPU.)
            var (integer, blob, clustered) = _postgres ? ("BIGINT", "BYTEA", "") : ("INTEGER", "BLOB", " WITHOUT ROWID");
            var ddl = $"""
                CREATE TABLE IF NOT EXISTS fraud_partitions (
                    grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL,
                    epoch {integer} NOT NULL, next_offset {integer} NOT NULL,
                    PRIMARY KEY (grp, topic, part));
                CREATE TABLE IF NOT EXISTS fraud_accounts (
                    grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL, account TEXT NOT NULL,
                    state {blob} NOT NULL,
                    PRIMARY KEY (grp, topic, part, account)){clustered};
                """;
            try
            {
                await Execute(connection, null, ddl);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // Several nodes created the tables at the same moment: one of them won, which is all we need.
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

        var accounts = new Dictionary<string, byte[]>();
        await using (var command = Command(connection, transaction, "SELECT account, state FROM fraud_accounts WHERE grp = @g AND topic = @t AND part = @p", Key(key)))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                accounts[reader.GetString(0)] = (byte[])reader.GetValue(1);
            }
        }

        await transaction.CommitAsync();
        return new PartitionCheckpoint(epoch, nextOffset, accounts);
    }

    private async Task SaveCoreAsync(PartitionKey key, long epoch, CheckpointWrite write)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // First, and under the row's lock until commit: only the current owner may write.
        var owned = await Execute(connection, transaction,
            "UPDATE fraud_partitions SET next_offset = @o WHERE grp = @g AND topic = @t AND part = @p AND epoch = @e",
            [.. Key(key), ("@o", write.NextOffset), ("@e", epoch)]);
        if (owned == 0)
        {
            await transaction.RollbackAsync();
            throw new FencedException(key, epoch);
        }

        if (write.Reset)
        {
            await Execute(connection, transaction, "DELETE FROM fraud_accounts WHERE grp = @g AND topic = @t AND part = @p", Key(key));
        }

        var perStatement = _postgres ? PostgresRowsPerStatement : SqliteRowsPerStatement;
        await WriteRowsAsync(connection, transaction, key, write.Changed, perStatement, Upsert, ("@a", row => row.Key), ("@s", row => row.Value));
        await WriteRowsAsync(connection, transaction, key, write.Removed, perStatement, Delete, ("@a", account => account));
        await transaction.CommitAsync();
    }

    // Many rows per statement, to pay a statement's fixed costs (stepping, a round trip to PostgreSQL) once per chunk.
    // Not too many for SQLite: it finds a named parameter by scanning the statement's names, so binding a statement
    // costs the square of its size (at 200 rows, that scan was the checkpoint thread's largest single symbol). PostgreSQL
    // takes 500 rows per round trip, as many as the batches of single-row statements it was given before.
    private const int SqliteRowsPerStatement = 50;
    private const int PostgresRowsPerStatement = 500;

    private static string Upsert(int rows) =>
        "INSERT INTO fraud_accounts (grp, topic, part, account, state) VALUES "
        + string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@g, @t, @p, @a{i}, @s{i})"))
        + " ON CONFLICT (grp, topic, part, account) DO UPDATE SET state = excluded.state";

    private static string Delete(int rows) =>
        "DELETE FROM fraud_accounts WHERE grp = @g AND topic = @t AND part = @p AND account IN ("
        + string.Join(", ", Enumerable.Range(0, rows).Select(i => $"@a{i}")) + ")";

    /// <summary>
    /// Writes <paramref name="rows"/> with statements of up to <paramref name="perStatement"/> rows each (one prepared
    /// statement serves every full chunk, one more the rest). Row <c>i</c>'s value of each of <paramref name="columns"/>
    /// is bound as the column's name followed by <c>i</c> (<c>@a0</c>, <c>@s0</c>, <c>@a1</c>…), after the partition's key.
    /// </summary>
    private static async Task WriteRowsAsync<T>(DbConnection connection, DbTransaction transaction, PartitionKey key, IReadOnlyList<T> rows,
        int perStatement, Func<int, string> sql, params (string Name, Func<T, object> Value)[] columns)
    {
        var names = columns.Select(c => c.Name).ToArray();
        DbCommand? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - start);
                var command = count == perStatement
                    ? full ??= Statement(connection, transaction, key, sql(count), count, names)
                    : Statement(connection, transaction, key, sql(count), count, names);
                try
                {
                    var keyParameters = command.Parameters.Count - count * columns.Length;
                    for (var i = 0; i < count; i++)
                    {
                        for (var c = 0; c < columns.Length; c++)
                        {
                            command.Parameters[keyParameters + i * columns.Length + c].Value = columns[c].Value(rows[start + i]);
                        }
                    }

                    await command.ExecuteNonQueryAsync();
                }
                finally
                {
                    if (command != full)
                    {
                        await command.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            if (full is not null)
            {
                await full.DisposeAsync();
            }
        }
    }

    /// <summary>A prepared statement: the partition's key bound, then one parameter per row and column (<c>@a0, @s0, @a1…</c>).</summary>
    private static DbCommand Statement(DbConnection connection, DbTransaction transaction, PartitionKey key, string sql, int rows, string[] columns)
    {
        var command = Command(connection, transaction, sql, Key(key));
        for (var i = 0; i < rows; i++)
        {
            foreach (var column in columns)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = column + i;
                parameter.Value = DBNull.Value;
                command.Parameters.Add(parameter);
            }
        }

        command.Prepare();
        return command;
    }

    private static (string Name, object Value)[] Key(PartitionKey key) => [("@g", key.Group), ("@t", key.Topic), ("@p", key.Partition)];

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<int> Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }
}

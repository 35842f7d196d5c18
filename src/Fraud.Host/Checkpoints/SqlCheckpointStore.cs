using System.Data.Common;
using Fraud.Actors.Checkpoints;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fraud.Host.Checkpoints;

/// <summary>
/// Partition checkpoints in a SQL database: SQLite (a file, the single-node default) or PostgreSQL (what a cluster
/// and docker-compose use). One row per partition (owner epoch, offset the accounts reflect) and, per partition, a log of
/// account chunks (<see cref="AccountLog"/>): each save appends the accounts it changed, and the log is compacted into
/// its live accounts once it has grown as large as they are. A claim raises the epoch in the same transaction that reads
/// the checkpoint; a save updates the partition row only where the epoch is still the caller's, then appends (and maybe
/// compacts), all in one transaction: an earlier owner's late save changes nothing, and a reader never sees half a save.
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
    /// That thread runs at a lower priority (nice +10 on Linux) than the records: its work is a checkpoint's, which may
    /// lag a little, while a record waiting for a core is late. Partitions' compactions (40-210 ms of that thread each, 12
    /// within ten seconds at 40,000 msg/s) took a core from the stream, and the p99 of those seconds doubled
    /// (bench/RESULTS.md §11).
    /// </summary>
    public static SqlCheckpointStore Sqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
        return new SqlCheckpointStore(() => new SqliteConnection(builder.ToString()), postgres: false,
            new SingleThreadScheduler("sqlite-checkpoints", niceness: CheckpointThreadNiceness), null);
    }

    /// <summary>How much lower the SQLite thread's priority is than the process's (Linux nice value).</summary>
    public const int CheckpointThreadNiceness = 10;

    public static SqlCheckpointStore Postgres(string connectionString)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        return new SqlCheckpointStore(source.CreateConnection, postgres: true, null, source);
    }

    public Task<PartitionCheckpoint> ClaimAsync(PartitionKey key) => Run(() => ClaimCoreAsync(key));

    public Task SaveAsync(PartitionKey key, long epoch, CheckpointWrite write)
    {
        // Encoded into the log's (pooled) chunks on the store's side, not the caller's: the caller is a partition actor,
        // whose records wait while it is busy (see ChangedAccounts for how long the accounts stay readable).
        var (nextOffset, reset) = (write.NextOffset, write.Reset);
        async Task<bool> Save()
        {
            using var chunks = AccountLog.Write(write.Changed, write.Removed);
            await SaveCoreAsync(key, epoch, nextOffset, reset, chunks);
            return true;
        }

        return _sqliteThread is null ? Task.Run(Save) : Run(Save);
    }

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
            // 16 KiB pages (taken by a new file only): the log's chunks span pages, and SQLite writes a page per call.
            // Saving 1,080,000 accounts in 360 saves cost its thread 2.0–2.5 µs each with them, 3.0–3.4 µs with 4 KiB pages.
            await Execute(connection, null, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
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

            // fraud_accounts is the first layout (a row per account): still read, and moved into the log at the next
            // claim, so that a file or database written by an earlier version keeps its accounts.
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
                CREATE TABLE IF NOT EXISTS fraud_account_log (
                    grp TEXT NOT NULL, topic TEXT NOT NULL, part INTEGER NOT NULL, seq {integer} NOT NULL,
                    base INTEGER NOT NULL, n_bytes INTEGER NOT NULL, entries {blob} NOT NULL,
                    PRIMARY KEY (grp, topic, part, seq));
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

        using var accounts = await ReadAccountsAsync(connection, transaction, key);
        if (accounts.LegacyRows > 0)
        {
            // Written by the first layout: from now on they live in the log.
            await CompactAsync(connection, transaction, key, accounts, (await LogStatsAsync(connection, transaction, key)).LastSeq + 1);
        }

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
            await DeleteAccountsAsync(connection, transaction, key);
        }

        if (chunks.Count > 0)
        {
            var stats = await LogStatsAsync(connection, transaction, key);
            await AppendAsync(connection, transaction, key, stats.LastSeq + 1, chunks, isBase: false);
            var deltaBytes = stats.DeltaBytes + chunks.Bytes;
            var spread = CompactionSpread(key);
            if (deltaBytes >= spread * Math.Max(stats.BaseBytes, MinCompactionBytes) || stats.DeltaChunks + chunks.Count > MaxDeltaChunks)
            {
                await CompactLogAsync(connection, transaction, key, stats.BaseBytes, stats.LastSeq + chunks.Count + 1);
            }
        }

        await transaction.CommitAsync();
    }

    // A log is compacted once what was appended since its base is as large as the base, times its partition's spread
    // (so every account state is written two to three times, and the log stays within about three times its live size),
    // but not while it is small, nor left to grow past a few hundred chunks (a quiet partition that changes a little
    // every second).
    private const long MinCompactionBytes = 4 * 1024 * 1024;
    private const int MaxDeltaChunks = 256;

    /// <summary>
    /// 1 to 1.875 by partition. Partitions of one topic see the same traffic, so with one threshold they all compacted
    /// within the same two seconds (in the e2e bench: twelve compactions of ~34,000 accounts each, and the detector's
    /// p50 went from 40 to 735 ms while they ran); with thresholds apart, their compactions drift apart too.
    /// </summary>
    private static double CompactionSpread(PartitionKey key) => 1 + (key.Partition & 7) / 8.0;

    private readonly record struct LogStats(long LastSeq, long BaseBytes, long DeltaBytes, long DeltaChunks);

    private static async Task<LogStats> LogStatsAsync(DbConnection connection, DbTransaction transaction, PartitionKey key)
    {
        await using var command = Command(connection, transaction,
            """
            SELECT COALESCE(MAX(seq), 0),
                   COALESCE(SUM(CASE WHEN base = 1 THEN n_bytes ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN base = 0 THEN n_bytes ELSE 0 END), 0),
                   COUNT(CASE WHEN base = 0 THEN 1 END)
            FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p
            """, Key(key));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new LogStats(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>
    /// The partition's live accounts, for a claim: rows of the first layout, then the log applied in order, each chunk
    /// read into a pooled array and each account left a slice of it (see <see cref="AccountLog.LiveAccounts"/>).
    /// </summary>
    private static async Task<AccountLog.LiveAccounts> ReadAccountsAsync(DbConnection connection, DbTransaction transaction, PartitionKey key)
    {
        var live = new AccountLog.LiveAccounts(capacity: 0);
        try
        {
            await using (var command = Command(connection, transaction, "SELECT account, state FROM fraud_accounts WHERE grp = @g AND topic = @t AND part = @p", Key(key)))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    live.Set(reader.GetString(0), (byte[])reader.GetValue(1));
                }
            }

            await using (var command = Command(connection, transaction, "SELECT n_bytes, entries FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p ORDER BY seq", Key(key)))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    var length = checked((int)reader.GetInt64(0));
                    var chunk = live.Rent(length);
                    var read = reader.GetBytes(1, 0, chunk, 0, length);
                    if (read != length)
                    {
                        throw new InvalidDataException($"account log chunk of {read} bytes where its row says {length}");
                    }

                    live.Apply(chunk.AsMemory(0, length));
                }
            }

            return live;
        }
        catch
        {
            live.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the partition's log by its live accounts, as a new base from <paramref name="firstSeq"/> on: its chunks
    /// are read one at a time, newest first, and the base is written as it fills (see <see cref="AccountLog.Compaction"/>);
    /// then the old chunks are deleted. In the save's transaction, so a reader sees the old log or the new base.
    /// </summary>
    private async Task CompactLogAsync(DbConnection connection, DbTransaction transaction, PartitionKey key, long baseBytes, long firstSeq)
    {
        var chunks = new List<(long Seq, int Bytes)>();
        await using (var command = Command(connection, transaction,
            "SELECT seq, n_bytes FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p AND seq < @f ORDER BY seq DESC", [.. Key(key), ("@f", firstSeq)]))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                chunks.Add((reader.GetInt64(0), checked((int)reader.GetInt64(1))));
            }
        }

        // Sized for the accounts of the last base (~100 B each), so that the set of ids is not regrown from a handful.
        var compaction = new AccountLog.Compaction((int)Math.Min(baseBytes / 100, 1 << 22));
        var next = firstSeq;
        await using (var read = Command(connection, transaction,
            "SELECT entries FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p AND seq = @s", [.. Key(key), ("@s", 0L)]))
        {
            var seq = read.Parameters[read.Parameters.Count - 1];
            foreach (var (chunkSeq, length) in chunks)
            {
                seq.Value = chunkSeq;
                var array = ChunkPool.Rent(length);
                try
                {
                    await using (var reader = await read.ExecuteReaderAsync())
                    {
                        var got = await reader.ReadAsync() ? reader.GetBytes(0, 0, array, 0, length) : -1;
                        if (got != length)
                        {
                            throw new InvalidDataException($"account log chunk {chunkSeq} of {key.Topic}-{key.Partition} holds {got} bytes where its row says {length}");
                        }
                    }

                    compaction.ApplyOlder(array.AsSpan(0, length));
                }
                finally
                {
                    ChunkPool.Return(array);
                }

                if (compaction.TakeCompleted(atLeast: _postgres ? PostgresRowsPerStatement : SqliteRowsPerStatement) is { } completed)
                {
                    using (completed)
                    {
                        await AppendAsync(connection, transaction, key, next, completed, isBase: true);
                        next += completed.Count;
                    }
                }
            }
        }

        using (var rest = compaction.Finish())
        {
            await AppendAsync(connection, transaction, key, next, rest, isBase: true);
        }

        await Execute(connection, transaction, "DELETE FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p AND seq < @f", [.. Key(key), ("@f", firstSeq)]);
    }

    /// <summary>
    /// Replaces the partition's log and its rows of the first layout by its live accounts, as gathered for a claim, as a
    /// new base (a claim has them in memory anyway).
    /// </summary>
    private async Task CompactAsync(DbConnection connection, DbTransaction transaction, PartitionKey key, AccountLog.LiveAccounts accounts, long firstSeq)
    {
        await DeleteAccountsAsync(connection, transaction, key);
        using var chunks = accounts.Write();
        await AppendAsync(connection, transaction, key, firstSeq, chunks, isBase: true);
    }

    private static async Task DeleteAccountsAsync(DbConnection connection, DbTransaction transaction, PartitionKey key)
    {
        await Execute(connection, transaction, "DELETE FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p", Key(key));
        await Execute(connection, transaction, "DELETE FROM fraud_accounts WHERE grp = @g AND topic = @t AND part = @p", Key(key));
    }

    private Task AppendAsync(DbConnection connection, DbTransaction transaction, PartitionKey key, long firstSeq, AccountLog.Chunks chunks, bool isBase) =>
        WriteRowsAsync(connection, transaction, key, chunks.Segments.Select((chunk, i) => (Seq: firstSeq + i, Chunk: chunk)).ToList(),
            _postgres ? PostgresRowsPerStatement : SqliteRowsPerStatement, Append,
            ("@q", row => row.Seq), ("@b", _ => isBase ? 1 : 0), ("@n", row => row.Chunk.Count), ("@d", row => Blob(row.Chunk)));

    /// <summary>
    /// A chunk as a parameter's value, without copying it out of its pooled array: PostgreSQL's driver takes the slice
    /// itself; SQLite's takes the array, and the parameter's size (set where it is bound, see WriteRowsAsync) cuts it.
    /// </summary>
    private object Blob(ArraySegment<byte> chunk) =>
        _postgres ? (object)new ReadOnlyMemory<byte>(chunk.Array, chunk.Offset, chunk.Count) : chunk; // (object): else the segment converts to memory

    // Many rows per statement, to pay a statement's fixed costs (stepping, a round trip to PostgreSQL) once per chunk
    // of rows. Not too many for SQLite: it finds a named parameter by scanning the statement's names, so binding a
    // statement costs the square of its size.
    private const int SqliteRowsPerStatement = 50;
    private const int PostgresRowsPerStatement = 100;

    private static string Append(int rows) =>
        "INSERT INTO fraud_account_log (grp, topic, part, seq, base, n_bytes, entries) VALUES "
        + string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@g, @t, @p, @q{i}, @b{i}, @n{i}, @d{i})"));

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
                            Bind(command.Parameters[keyParameters + i * columns.Length + c], columns[c].Value(rows[start + i]));
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

    /// <summary>
    /// Sets a parameter of a prepared statement: a SQLite blob given as the start of an array is bound as the array,
    /// with the slice's length as the parameter's size (SQLite's driver truncates a blob to its parameter's size). A
    /// column's values are all of one kind, so a size set here only ever applies to the next blob of the same column.
    /// </summary>
    private static void Bind(DbParameter parameter, object value)
    {
        if (value is ArraySegment<byte> { Offset: 0 } slice)
        {
            parameter.Value = slice.Array;
            parameter.Size = slice.Count;
        }
        else
        {
            parameter.Value = value;
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

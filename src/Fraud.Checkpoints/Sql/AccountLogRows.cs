using System.Data.Common;
using Fraud.Actors.Checkpoints;
using Fraud.Checkpoints.Log;
using static Fraud.Checkpoints.Sql.Sql;

namespace Fraud.Checkpoints.Sql;

/// <summary>
/// A partition's account log as rows of <c>fraud_account_log</c> (and the first layout's <c>fraud_accounts</c>, still
/// read): appended by saves, gathered by claims, compacted into a new base once it has grown (docs/decisions/0004).
/// Every method runs inside the caller's transaction.
/// </summary>
internal sealed class AccountLogRows(SqlDialect dialect)
{
    // A log is compacted once what was appended since its base is as large as the base, times its partition's spread
    // (so every account state is written two to three times), but not while it is small, nor left to grow past a few
    // hundred chunks (a quiet partition that changes a little every second).
    private const long MinCompactionBytes = 4 * 1024 * 1024;
    private const int MaxDeltaChunks = 256;

    /// <summary>1 to 1.875 by partition: one topic's partitions, seeing the same traffic, then compact at different times.</summary>
    private static double CompactionSpread(PartitionKey key) => 1 + (key.Partition & 7) / 8.0;

    private readonly record struct LogStats(long LastSeq, long BaseBytes, long DeltaBytes, long DeltaChunks);

    /// <summary>Appends a save's chunks, and compacts the log when they make it large enough.</summary>
    public async Task AppendAsync(DbConnection connection, DbTransaction transaction, PartitionKey key, AccountLog.Chunks chunks)
    {
        var stats = await LogStatsAsync(connection, transaction, key);
        await AppendAsync(connection, transaction, key, stats.LastSeq + 1, chunks, isBase: false);
        var deltaBytes = stats.DeltaBytes + chunks.Bytes;
        if (deltaBytes >= CompactionSpread(key) * Math.Max(stats.BaseBytes, MinCompactionBytes) || stats.DeltaChunks + chunks.Count > MaxDeltaChunks)
        {
            await CompactLogAsync(connection, transaction, key, stats.BaseBytes, stats.LastSeq + chunks.Count + 1);
        }
    }

    /// <summary>
    /// The partition's live accounts, for a claim: rows of the first layout, then the log applied in order, each chunk
    /// read into a pooled array and each account left a slice of it (see <see cref="AccountLog.LiveAccounts"/>). Rows of
    /// the first layout found are moved into the log.
    /// </summary>
    public async Task<AccountLog.LiveAccounts> ReadAsync(DbConnection connection, DbTransaction transaction, PartitionKey key)
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

            if (live.LegacyRows > 0)
            {
                await CompactAsync(connection, transaction, key, live, (await LogStatsAsync(connection, transaction, key)).LastSeq + 1);
            }

            return live;
        }
        catch
        {
            live.Dispose();
            throw;
        }
    }

    /// <summary>Drops every account of the partition (a reset).</summary>
    public static async Task DeleteAsync(DbConnection connection, DbTransaction transaction, PartitionKey key)
    {
        await Execute(connection, transaction, "DELETE FROM fraud_account_log WHERE grp = @g AND topic = @t AND part = @p", Key(key));
        await Execute(connection, transaction, "DELETE FROM fraud_accounts WHERE grp = @g AND topic = @t AND part = @p", Key(key));
    }

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

                if (compaction.TakeCompleted(atLeast: dialect.RowsPerStatement) is { } completed)
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

    /// <summary>Replaces the log and the first layout's rows by the live accounts a claim gathered, as a new base.</summary>
    private async Task CompactAsync(DbConnection connection, DbTransaction transaction, PartitionKey key, AccountLog.LiveAccounts accounts, long firstSeq)
    {
        await DeleteAsync(connection, transaction, key);
        using var chunks = accounts.Write();
        await AppendAsync(connection, transaction, key, firstSeq, chunks, isBase: true);
    }

    private Task AppendAsync(DbConnection connection, DbTransaction transaction, PartitionKey key, long firstSeq, AccountLog.Chunks chunks, bool isBase) =>
        WriteRowsAsync(connection, transaction, key, chunks.Segments.Select((chunk, i) => (Seq: firstSeq + i, Chunk: chunk)).ToList(),
            dialect.RowsPerStatement, Append,
            ("@q", row => row.Seq), ("@b", _ => isBase ? 1 : 0), ("@n", row => row.Chunk.Count), ("@d", row => dialect.Blob(row.Chunk)));

    private static string Append(int rows) =>
        "INSERT INTO fraud_account_log (grp, topic, part, seq, base, n_bytes, entries) VALUES "
        + string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@g, @t, @p, @q{i}, @b{i}, @n{i}, @d{i})"));
}

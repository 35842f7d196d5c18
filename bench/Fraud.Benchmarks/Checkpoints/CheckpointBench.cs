using System.Diagnostics;
using Fraud.Actors.Checkpoints;
using Fraud.Checkpoints;

namespace Fraud.Benchmarks.Checkpoints;

/// <summary>What saving accounts costs the single-node store, and what restoring a partition costs.</summary>
public sealed record CheckpointResult(
    long Accounts, int Partitions, int AccountsPerSave, double WallMs, double StoreThreadCpuUsPerAccount,
    double ProcessCpuUsPerAccount, double FileMb, int RestoredAccounts, double RestoreMs);

/// <summary>
/// The SQLite store as the partition actors use it on cold traffic: 12 partitions, each saving a batch of new accounts
/// (150-byte states, as the codec writes for an account with a transaction or two) once per round, the file growing to
/// about a million accounts; then one partition claimed back. The store runs every call on one thread of its own
/// (<c>sqlite-checkpoints</c>): its CPU time per account is what the checkpoints take from the detector.
/// </summary>
public static class CheckpointBench
{
    private const int Partitions = 12;

    public static async Task<CheckpointResult> RunAsync(int accountsPerSave = 3_000, int rounds = 30)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fraud-bench-checkpoints-{Guid.NewGuid():N}.db");
        try
        {
            using var store = SqlCheckpointStore.Sqlite($"Data Source={file}");
            var keys = Enumerable.Range(0, Partitions).Select(p => new PartitionKey("bench-detector-group", "queueing.transactions", p)).ToArray();
            var epochs = new long[Partitions];
            for (var p = 0; p < Partitions; p++)
            {
                epochs[p] = (await store.ClaimAsync(keys[p])).Epoch;
            }

            // The writes are made before the clock starts: only the store's work is measured.
            var random = new Random(5);
            var writes = new CheckpointWrite[rounds, Partitions];
            for (var round = 0; round < rounds; round++)
            {
                for (var p = 0; p < Partitions; p++)
                {
                    var changed = new KeyValuePair<string, byte[]>[accountsPerSave];
                    for (var i = 0; i < changed.Length; i++)
                    {
                        var state = new byte[150];
                        random.NextBytes(state);
                        changed[i] = new($"ACC-{random.Next(0, 100_000_000):D9}", state);
                    }

                    writes[round, p] = new CheckpointWrite(round + 1, changed, []);
                }
            }

            var threadBefore = StoreThreadCpu();
            var processBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < rounds; round++)
            {
                // The partitions save at once, as their timers fire, and the store's thread takes them in turn.
                await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => store.SaveAsync(keys[p], epochs[p], writes[round, p])));
            }

            var wall = clock.Elapsed;
            var accounts = (long)rounds * Partitions * accountsPerSave;
            var thread = StoreThreadCpu() - threadBefore;
            var process = Process.GetCurrentProcess().TotalProcessorTime - processBefore;
            var restore = Stopwatch.StartNew();
            var restored = await store.ClaimAsync(keys[0]);
            return new CheckpointResult(accounts, Partitions, accountsPerSave, Math.Round(wall.TotalMilliseconds),
                Math.Round(thread.TotalMicroseconds / accounts, 2), Math.Round(process.TotalMicroseconds / accounts, 2),
                Math.Round(new FileInfo(file).Length / 1e6, 1), restored.Accounts.Count, Math.Round(restore.Elapsed.TotalMilliseconds, 1));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>
    /// User plus system time so far of the threads named as the SQLite store's (this one's, and any left by stores of an
    /// earlier part), from /proc (Linux); zero where there is none.
    /// </summary>
    private static TimeSpan StoreThreadCpu()
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks))
        {
            return TimeSpan.Zero;
        }

        var total = TimeSpan.Zero;
        foreach (var task in Directory.GetDirectories(tasks))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith("sqlite-checkpoi", StringComparison.Ordinal))
                {
                    continue;
                }

                // Fields after the command's closing parenthesis: state is the first, utime the 12th, stime the 13th.
                var fields = File.ReadAllText(Path.Combine(task, "stat")).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
                total += TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ, 100 on Linux
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return total;
    }
}

using Fraud.Actors.Checkpoints;
using Fraud.Checkpoints;
using Fraud.Checkpoints.Log;

namespace Fraud.Checkpoints.Tests;

/// <summary>The SQLite store's own thread yields the cores to the records.</summary>
public sealed class CheckpointThreadSpecs
{
    [Fact]
    public async Task Should_run_the_sqlite_thread_at_a_lower_priority_than_the_process_on_linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // nice values are Linux's; elsewhere the thread keeps the process's priority
        }

        var file = Path.Combine(Path.GetTempPath(), $"fraud-nice-{Guid.NewGuid():N}.db");
        try
        {
            using var store = SqlCheckpointStore.Sqlite($"Data Source={file}");
            await store.ClaimAsync(new PartitionKey("g", "t", 0)); // a call has run on the thread: it has lowered itself

            var process = Nice(File.ReadAllText("/proc/self/stat"));
            // Linux shows a thread's name cut to 15 characters.
            // A thread of the runtime may end between the listing and the reading: it is no store's thread.
            var threads = Directory.GetDirectories("/proc/self/task")
                .Where(task => ReadIfThere(Path.Combine(task, "comm"))?.Trim() == "sqlite-checkpoi")
                .Select(task => ReadIfThere(Path.Combine(task, "stat")))
                .OfType<string>()
                .Select(Nice)
                .ToList();

            // Every such thread (other specs may have stores open meanwhile), this store's among them.
            Assert.NotEmpty(threads);
            Assert.All(threads, nice => Assert.Equal(Math.Min(19, process + SqlCheckpointStore.CheckpointThreadNiceness), nice));
        }
        finally
        {
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    private static string? ReadIfThere(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Field 19 of /proc/.../stat; the command name (field 2, in parentheses) may hold spaces, so count after it.
    private static int Nice(string stat) => int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16]);
}

using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Fraud.Checkpoints;

/// <summary>
/// Runs tasks, and their continuations, on one thread of its own. For a store whose "async" calls are synchronous
/// (Microsoft.Data.Sqlite): its I/O then waits here, not on an actor dispatcher or the thread pool.
/// </summary>
internal sealed class SingleThreadScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = new();
    private readonly Thread _thread;

    /// <param name="niceness">
    /// On Linux, how much lower than the process's the thread's scheduling priority is (its nice value, added; 0 leaves
    /// it). A thread may always lower its own priority, so this needs no privilege.
    /// </param>
    public SingleThreadScheduler(string name, int niceness = 0)
    {
        _thread = new Thread(() =>
        {
            if (niceness > 0 && OperatingSystem.IsLinux())
            {
                Lower(niceness);
            }

            foreach (var task in _queue.GetConsumingEnumerable())
            {
                TryExecuteTask(task);
            }
        }) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public override int MaximumConcurrencyLevel => 1;

    public void Dispose() => _queue.CompleteAdding();

    protected override void QueueTask(Task task) => _queue.Add(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Thread.CurrentThread == _thread && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>Adds <paramref name="niceness"/> to the calling thread's nice value (Linux keeps one per thread).</summary>
    private static void Lower(int niceness)
    {
        try
        {
            var current = GetPriority(PrioProcess, 0);
            SetPriority(PrioProcess, 0, Math.Min(19, current + niceness)); // who = 0: the calling thread
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not a libc to ask: the thread keeps the process's priority.
        }
    }

    private const int PrioProcess = 0;

    [DllImport("libc", EntryPoint = "getpriority")]
    private static extern int GetPriority(int which, int who);

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);
}

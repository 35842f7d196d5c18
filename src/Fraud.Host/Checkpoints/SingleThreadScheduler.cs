using System.Collections.Concurrent;

namespace Fraud.Host.Checkpoints;

/// <summary>
/// Runs tasks, and their continuations, on one thread of its own. For a store whose "async" calls are synchronous
/// (Microsoft.Data.Sqlite): its I/O then waits here, not on an actor dispatcher or the thread pool.
/// </summary>
internal sealed class SingleThreadScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = new();
    private readonly Thread _thread;

    public SingleThreadScheduler(string name)
    {
        _thread = new Thread(() =>
        {
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
}

namespace Fraud.Kafka.Consuming;

/// <summary>Stops a consumer source, and closes its consumer once the stream has finished committing.</summary>
public interface IConsumerControl
{
    /// <summary>The consumer behind the source: commit state, assignment, events.</summary>
    ConsumerSession Session { get; }

    /// <summary>Completes the source: no new records; those already emitted continue downstream.</summary>
    void Stop();

    /// <summary>
    /// Graceful end: stop emitting, wait until <paramref name="streamCompletion"/> (the committer's task) finishes,
    /// run <paramref name="beforeClose"/> (say, make external state durable, see <see cref="ConsumerSettings.CommitLimit"/>),
    /// then leave the group, which commits what was acknowledged.
    /// </summary>
    Task DrainAndShutdownAsync(Task streamCompletion, Func<Task>? beforeClose = null);
}

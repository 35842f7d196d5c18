using Fraud.Actors.Checkpoints;
using Fraud.Actors.State;

namespace Fraud.Actors.Partitions;

/// <summary>A claimed checkpoint turned into a partition's accounts.</summary>
public static class PartitionRestore
{
    /// <summary>Events this far ahead of the clock can only come from a checkpoint written before event times were capped.</summary>
    public static readonly TimeSpan FutureHorizon = TimeSpan.FromHours(1);

    /// <summary>What a restore did: the offset the accounts reflect, whether they were reset, events forgotten as from the future.</summary>
    public readonly record struct Result(long NextOffset, bool Reset, int FromTheFuture);

    /// <summary>
    /// Reads the checkpoint's accounts into <paramref name="accounts"/> (an empty table), each last seen now. A checkpoint
    /// past the partition's end (<paramref name="endOffset"/>, -1 when unknown) is from before the topic was recreated, or
    /// of another Kafka cluster: its accounts describe other traffic, so none is restored and the first save drops them.
    /// Throws <see cref="UnreadableStateException"/> for an account state this code cannot read.
    /// </summary>
    public static Result Apply(PartitionCheckpoint checkpoint, long endOffset, AccountTable accounts, long nowTicks)
    {
        if (endOffset >= 0 && checkpoint.NextOffset > endOffset)
        {
            return new Result(-1, Reset: true, 0);
        }

        var fromTheFuture = 0;
        foreach (var (account, bytes) in checkpoint.Accounts)
        {
            var row = accounts.Add(account);
            var state = accounts.State(row);
            AccountStateCodec.ReadInto(bytes, state);
            fromTheFuture += state.ForgetEventsAfter(nowTicks + FutureHorizon.Ticks);
            accounts.LastSeenTicks(row) = nowTicks;
        }

        return new Result(checkpoint.NextOffset, Reset: false, fromTheFuture);
    }
}

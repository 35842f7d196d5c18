using Fraud.Actors.State;

namespace Fraud.Actors.Partitions;

/// <summary>
/// Forgets a partition's idle accounts: from memory, and (through the next checkpoint) from the store. An account idle
/// for <see cref="AccountSettings.PassivationFor"/> goes; when that leaves most of the arena free, the rest move into a
/// new one so that arrays sized for a past peak can go.
/// </summary>
public static class Passivation
{
    /// <summary>How often to look: half the idle time, at most once a minute.</summary>
    public static TimeSpan Interval(TimeSpan passivation) => passivation < TimeSpan.FromMinutes(2) ? passivation / 2 : TimeSpan.FromMinutes(1);

    /// <summary>
    /// Drops the accounts last scored before <paramref name="horizonTicks"/>, each told to <paramref name="checkpoints"/>;
    /// the table to go on with (a new, compacted one when most of the old one's arena was free) and how many went.
    /// </summary>
    public static (AccountTable Accounts, int Dropped) DropIdle(AccountTable accounts, long horizonTicks, PartitionCheckpoints checkpoints)
    {
        var dropped = 0;
        foreach (var row in accounts.Rows())
        {
            if (accounts.LastSeenTicks(row) < horizonTicks)
            {
                checkpoints.Removed(accounts.IdOf(row));
                accounts.Remove(row); // its row and blocks go to the next new account; a save skips it (cleared)
                dropped++;
            }
        }

        if (!accounts.Arena.MostlyFree)
        {
            return (accounts, dropped);
        }

        // Moving the rest costs a copy of what is still held, once per such drop; their rows change, so the changed
        // ones are listed again by their new rows.
        var compacted = accounts.Compacted();
        checkpoints.RowsMoved(compacted);
        return (compacted, dropped);
    }
}

namespace Fraud.Actors.Transactions;

/// <summary>
/// Which time a transaction counts at. Its own <c>timestamp</c> is what the sender claims; the time its record reached
/// Kafka (the log's timestamp, never later than this node's clock) is what happened. Rules use the claim, capped at the
/// arrival plus <see cref="Tolerance"/>: a record that lies about its time cannot push its account's clock ahead of
/// reality, and so cannot make the account's later records late.
/// </summary>
public static class EventTime
{
    /// <summary>How far a claimed time may run ahead of the arrival and still count as claimed: clocks disagree a little.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>
    /// When the record reached the input: its log timestamp, or <paramref name="now"/> when it has none (the default
    /// value) or when it is ahead of this node's clock (a producer's clock, or a lie).
    /// </summary>
    public static DateTimeOffset Arrival(DateTimeOffset logTime, DateTimeOffset now) =>
        logTime.UtcTicks == 0 || logTime.UtcTicks - now.UtcTicks > Tolerance.Ticks ? now : logTime;

    /// <summary>The time <paramref name="tx"/> counts at in its account's windows, in UTC ticks.</summary>
    public static long TicksOf(Transaction tx)
    {
        var claimed = tx.Timestamp.UtcTicks;
        if (tx.ReceivedAt is not { } arrival)
        {
            return claimed;
        }

        var cap = arrival.UtcTicks + Tolerance.Ticks;
        return claimed > cap ? cap : claimed;
    }
}

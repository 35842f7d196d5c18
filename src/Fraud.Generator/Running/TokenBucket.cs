namespace Fraud.Generator.Running;

/// <summary>
/// A token bucket in its "virtual scheduling" form: each token has a due time, one every 1/rate seconds; a caller
/// waits for its token's time. Up to <c>burst</c> tokens may be taken late at once, so short stalls are caught up,
/// but a long stall drops its tokens instead of flooding the broker. The token's due time is also the event time the
/// generator stamps on the message, which makes a seeded stream reproducible.
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeProvider _clock;
    private readonly long _intervalTicks;
    private readonly long _burstTicks;
    private long _nextDue;

    public TokenBucket(double ratePerSecond, TimeProvider clock, DateTimeOffset start, double burstSeconds = 1.0)
    {
        if (ratePerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), "rate must be positive");
        }

        _clock = clock;
        _intervalTicks = Math.Max(1, (long)(TimeSpan.TicksPerSecond / ratePerSecond));
        _burstTicks = Math.Max(_intervalTicks, (long)(burstSeconds * TimeSpan.TicksPerSecond));
        _nextDue = start.UtcTicks;
    }

    /// <summary>Tokens dropped because the caller fell further behind than the burst allows.</summary>
    public long Forfeited { get; private set; }

    /// <summary>The next token's due time if it is due now, else null (call <see cref="DelayUntilDue"/>).</summary>
    public DateTimeOffset? TryTake()
    {
        var now = _clock.GetUtcNow().UtcTicks;
        if (_nextDue > now)
        {
            return null;
        }

        // Tokens older than the burst allowance are forfeited: the bucket's capacity is bounded.
        var due = Math.Max(_nextDue, now - _burstTicks);
        Forfeited += (due - _nextDue) / _intervalTicks;
        _nextDue = due + _intervalTicks;
        return new DateTimeOffset(due, TimeSpan.Zero);
    }

    /// <summary>How long until the next token is due.</summary>
    public TimeSpan DelayUntilDue() => TimeSpan.FromTicks(Math.Max(0, _nextDue - _clock.GetUtcNow().UtcTicks));
}

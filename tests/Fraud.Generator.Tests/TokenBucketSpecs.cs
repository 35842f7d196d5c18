using Fraud.Generator.Running;

namespace Fraud.Generator.Tests;

public sealed class TokenBucketSpecs
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Should_hand_out_tokens_at_the_rate_and_stamp_their_due_time()
    {
        var clock = new ManualClock(Start);
        var bucket = new TokenBucket(1000, clock, Start);
        var taken = new List<DateTimeOffset>();
        for (var step = 0; step < 10_000; step++) // 10 s in 1 ms steps
        {
            while (bucket.TryTake() is { } due)
            {
                taken.Add(due);
            }

            clock.Now += TimeSpan.FromMilliseconds(1);
        }

        Assert.InRange(taken.Count, 9_999, 10_001);
        Assert.Equal(Start.AddMilliseconds(1234), taken[1234]);
    }

    [Fact]
    public void Should_forfeit_tokens_beyond_the_burst_after_a_stall()
    {
        var clock = new ManualClock(Start);
        var bucket = new TokenBucket(1000, clock, Start, burstSeconds: 0.05);
        clock.Now += TimeSpan.FromSeconds(10); // a long stall
        var burst = 0;
        while (bucket.TryTake() is not null)
        {
            burst++;
        }

        Assert.InRange(burst, 50, 52); // the burst allowance, not 10,000 catch-up tokens
        Assert.True(bucket.DelayUntilDue() <= TimeSpan.FromMilliseconds(1));
    }
}

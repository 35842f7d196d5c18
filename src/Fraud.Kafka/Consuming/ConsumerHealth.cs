using System.Text.Json;

namespace Fraud.Kafka.Consuming;

/// <summary>
/// What a consumer's librdkafka statistics say of its link to the cluster, as of <see cref="At"/>: when it last heard
/// from any broker (a fetch answer, a heartbeat), when it last fetched, and the state of its consumer group. Nothing
/// here costs a request: librdkafka reports it every <c>statistics.interval.ms</c> (1 s unless configured).
/// </summary>
public sealed record ConsumerHealth(DateTimeOffset At, DateTimeOffset? LastBrokerContact, DateTimeOffset? LastFetch, string? GroupState, DateTimeOffset? GroupUnsettledSince)
{
    /// <summary>The group is joined and has its assignment (librdkafka's <c>up</c> and <c>steady</c>).</summary>
    public bool GroupSettled => GroupUnsettledSince is null;
}

/// <summary>Follows a consumer's statistics: each report updates the <see cref="ConsumerHealth"/> it keeps.</summary>
internal sealed class ConsumerHealthTracker(TimeProvider clock)
{
    private long _fetchRequests = -1;
    private DateTimeOffset? _lastFetch;
    private DateTimeOffset? _unsettledSince;

    public ConsumerHealth? Current { get; private set; }

    /// <summary>One statistics report (librdkafka's JSON); a report it cannot read leaves the last one standing.</summary>
    public void OnStatistics(string json)
    {
        var now = clock.GetUtcNow();
        long? minIdleMicros = null;
        long fetches = 0;
        string? state = null, joinState = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.TryGetProperty("brokers", out var brokers) && brokers.ValueKind == JsonValueKind.Object)
            {
                foreach (var broker in brokers.EnumerateObject())
                {
                    if (broker.Value.TryGetProperty("rxidle", out var idle) && idle.TryGetInt64(out var micros) && micros >= 0)
                    {
                        minIdleMicros = Math.Min(minIdleMicros ?? long.MaxValue, micros);
                    }

                    if (broker.Value.TryGetProperty("req", out var requests) && requests.TryGetProperty("Fetch", out var fetch) && fetch.TryGetInt64(out var count))
                    {
                        fetches += count;
                    }
                }
            }

            if (root.TryGetProperty("cgrp", out var group))
            {
                state = group.TryGetProperty("state", out var s) ? s.GetString() : null;
                joinState = group.TryGetProperty("join_state", out var j) ? j.GetString() : null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return;
        }

        if (fetches > _fetchRequests && _fetchRequests >= 0)
        {
            _lastFetch = now;
        }

        _fetchRequests = fetches;
        var settled = state == "up" && joinState == "steady";
        _unsettledSince = settled ? null : _unsettledSince ?? now;
        Current = new ConsumerHealth(
            now,
            minIdleMicros is { } idleMicros ? now - TimeSpan.FromTicks(idleMicros * 10) : Current?.LastBrokerContact,
            _lastFetch,
            state is null ? null : $"{state}/{joinState}",
            _unsettledSince);
    }
}

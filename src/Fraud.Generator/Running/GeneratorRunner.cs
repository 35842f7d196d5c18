using System.Text;
using Confluent.Kafka;
using Fraud.Actors.Contracts;
using Fraud.Actors.Transactions;
using Fraud.Generator.Transactions;

namespace Fraud.Generator.Running;

/// <summary>Writes generated transactions to Kafka at the configured rate, keyed by account.</summary>
public sealed class GeneratorRunner(IProducer<byte[]?, byte[]?> producer, GeneratorOptions options, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly GroundTruthCounts _truth = new();
    private long _produced;
    private long _deliveryErrors;

    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Runs until <see cref="GeneratorOptions.Count"/> messages are written or <paramref name="cancel"/> fires.</summary>
    public async Task<GeneratorStats> RunAsync(CancellationToken cancel)
    {
        var seed = options.Seed ?? Random.Shared.Next();
        var factory = options.Factory(seed);
        var started = _clock.GetUtcNow();
        var bucket = new TokenBucket(options.Rate, _clock, started);
        var count = 0L;
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivered = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _deliveryErrors);
            }
        };

        while (!cancel.IsCancellationRequested && (options.Count is null || count < options.Count))
        {
            if (bucket.TryTake() is not { } due)
            {
                await Delay(bucket.DelayUntilDue(), cancel).ConfigureAwait(false);
                continue;
            }

            var generated = factory.Next(due);
            var message = ToMessage(generated);
            while (true)
            {
                try
                {
                    producer.Produce(options.Topic, message, onDelivered);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // librdkafka's queue is full: the broker is slower than the rate; wait for deliveries.
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }

            count++;
            Interlocked.Increment(ref _produced);
            _truth.Add(generated);
        }

        var seconds = (_clock.GetUtcNow() - started).TotalSeconds;
        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)), CancellationToken.None).ConfigureAwait(false);
        return _truth.Stats(options.Traffic, count, Interlocked.Read(ref _deliveryErrors), factory.PaceViolations, seed, Math.Round(seconds, 3), bucket.Forfeited);
    }

    /// <summary>The Kafka record: key = account, so one account's payments stay in order on one partition.</summary>
    public static Message<byte[]?, byte[]?> ToMessage(GeneratedTransaction generated)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(generated.Transaction.Source),
            Value = TransactionJson.Write(generated.Transaction),
            Timestamp = new Timestamp(generated.Transaction.Timestamp),
        };
        if (generated.Scenario is not null)
        {
            message.Headers = new Headers { { GroundTruth.ScenarioHeader, Encoding.UTF8.GetBytes(generated.Scenario) } };
        }
        else if (generated.Pattern is not null)
        {
            message.Headers = new Headers { { GroundTruth.PatternHeader, Encoding.UTF8.GetBytes(generated.Pattern) } };
        }

        return message;
    }

    /// <summary>The messages of each scenario and of each legit pattern a run made.</summary>
    internal sealed class GroundTruthCounts
    {
        private readonly Dictionary<string, long> _injected = new();
        private readonly Dictionary<string, long> _patterns = new();

        public void Add(GeneratedTransaction generated)
        {
            if (generated.Scenario is { } scenario)
            {
                _injected[scenario] = _injected.GetValueOrDefault(scenario) + 1;
            }
            else if (generated.Pattern is { } pattern)
            {
                _patterns[pattern] = _patterns.GetValueOrDefault(pattern) + 1;
            }
        }

        public GeneratorStats Stats(Traffic traffic, long count, long errors, long paceViolations, int seed, double seconds, long forfeited) =>
            new(count, errors, new Dictionary<string, long>(_injected), paceViolations, seed, seconds, forfeited)
            {
                LegitPatterns = new Dictionary<string, long>(_patterns),
                Traffic = traffic,
            };
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancel)
    {
        try
        {
            await Task.Delay(delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using Fraud.Actors.Contracts;
using Fraud.Generator.Transactions;

namespace Fraud.Generator.Running;

/// <summary>What to generate. Bound from <c>Generator:*</c> in the host, or from the generator's command line.</summary>
public sealed class GeneratorOptions
{
    public const string SectionName = "Generator";

    public string Topic { get; set; } = TopicNames.Input;

    /// <summary>Messages per second, held by a token bucket.</summary>
    public double Rate { get; set; } = 1000;

    /// <summary>Stop after this many messages; null runs until cancelled.</summary>
    public long? Count { get; set; }

    /// <summary>Same seed (and rate) → the same stream. Null picks one at random (printed at start).</summary>
    public int? Seed { get; set; }

    public int Accounts { get; set; } = 10_000;

    /// <summary>Share of messages that belong to fraud scenarios.</summary>
    public double FraudShare { get; set; } = 0.02;

    /// <summary>Realistic (the default: what a fraud team sees) or clean (only what the default rules detect; for tests).</summary>
    public Traffic Traffic { get; set; } = Traffic.Realistic;

    /// <summary>The legit patterns of realistic traffic, as shares of messages.</summary>
    public TrafficMix Mix { get; set; } = new();

    public TransactionFactory Factory(int seed) => new(seed, Accounts, FraudShare, Traffic, Mix);
}

/// <summary>
/// What a run produced: totals, the ground truth per scenario, how long it generated, and the tokens it forfeited
/// (messages not sent because it fell behind by more than the token bucket's burst).
/// </summary>
public sealed record GeneratorStats(long Produced, long DeliveryErrors, IReadOnlyDictionary<string, long> InjectedByScenario, long PaceViolations, int Seed, double Seconds, long ForfeitedTokens)
{
    /// <summary>Messages of each legit pattern (realistic traffic).</summary>
    public IReadOnlyDictionary<string, long> LegitPatterns { get; init; } = new Dictionary<string, long>();

    public Traffic Traffic { get; init; }

    /// <summary>Messages per second over the generating interval (set-up and the final flush excluded).</summary>
    public double AchievedRate => Seconds > 0 ? Produced / Seconds : 0;

    public long Injected => InjectedByScenario.Values.Sum();
}

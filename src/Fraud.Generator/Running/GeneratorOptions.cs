using Fraud.Actors.Contracts;

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
}

/// <summary>
/// What a run produced: totals, the ground truth per scenario, how long it generated, and the tokens it forfeited
/// (messages not sent because it fell behind by more than the token bucket's burst).
/// </summary>
public sealed record GeneratorStats(long Produced, long DeliveryErrors, IReadOnlyDictionary<string, long> InjectedByScenario, long PaceViolations, int Seed, double Seconds, long ForfeitedTokens)
{
    /// <summary>Messages per second over the generating interval (set-up and the final flush excluded).</summary>
    public double AchievedRate => Seconds > 0 ? Produced / Seconds : 0;

    public long Injected => InjectedByScenario.Values.Sum();
}

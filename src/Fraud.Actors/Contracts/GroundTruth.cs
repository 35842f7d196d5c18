namespace Fraud.Actors.Contracts;

/// <summary>
/// How a producer that knows the truth labels a transaction (the generator, a replay of labelled traffic): a Kafka
/// header naming the fraud scenario, never a field of the JSON body the rules read.
/// </summary>
public static class GroundTruth
{
    public const string ScenarioHeader = "x-fraud-scenario";

    /// <summary>The legit behaviour a transaction belongs to (realistic generated traffic): says what a false positive was.</summary>
    public const string PatternHeader = "x-traffic-pattern";
}

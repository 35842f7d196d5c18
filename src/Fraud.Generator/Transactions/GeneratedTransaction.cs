using Fraud.Actors.Contracts;
using Fraud.Actors.Transactions;

namespace Fraud.Generator.Transactions;

/// <summary>
/// A transaction and its ground truth: the scenario name when a correct detector should flag it, else null. The label
/// travels in the Kafka header <see cref="GroundTruth.ScenarioHeader"/>, never in the JSON body the detector reads.
/// <see cref="InScenario"/> is true for every step of a scenario, including its unlabelled set-up steps (clean traffic);
/// <see cref="Pattern"/> names the legit behaviour a step belongs to (realistic traffic); <see cref="Session"/> numbers
/// the scenario or pattern the step belongs to (0: ordinary traffic).
/// </summary>
public sealed record GeneratedTransaction(Transaction Transaction, string? Scenario, bool InScenario = false, string? Pattern = null, long Session = 0);

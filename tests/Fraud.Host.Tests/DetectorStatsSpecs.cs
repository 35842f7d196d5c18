using System.Text;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Contracts;
using Fraud.Host.Detection;

namespace Fraud.Host.Tests;

/// <summary>What the node counts from its input's headers stays bounded whatever a producer writes there.</summary>
public sealed class DetectorStatsSpecs
{
    [Fact]
    public void Should_count_at_most_a_bounded_number_of_scenario_labels()
    {
        var stats = new DetectorStats();
        for (var i = 0; i < 5_000; i++)
        {
            var label = i % 3 == 0 ? new byte[] { 0xFF, 0xFE } : Encoding.ASCII.GetBytes($"scenario-{i}");
            stats.Record(new OutputSummary(Outcome.Legit, DateTimeOffset.UtcNow, Array.Empty<RuleHit>(), null, null,
                DetectorStats.Label([new(GroundTruth.ScenarioHeader, label)])));
        }

        Assert.InRange(stats.InjectedSeen.Count, 2, DetectorStats.MaxScenarios + 1);
        Assert.True(stats.InjectedSeen[DetectorStats.OtherScenario] > 1_000);
    }
}

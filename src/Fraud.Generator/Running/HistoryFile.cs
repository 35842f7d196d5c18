using System.Globalization;
using System.Text;
using Fraud.Actors.Transactions;

namespace Fraud.Generator.Running;

/// <summary>
/// A generated history written to files instead of Kafka, for backtests: one input record a line (JSON Lines), and
/// beside it the labels (<c>transactionId,is_fraud</c>). Event times are simulated, <c>1/rate</c> seconds apart from
/// <paramref name="start"/>, so a month of traffic takes seconds to write.
/// </summary>
public static class HistoryFile
{
    public static GeneratorStats Write(GeneratorOptions options, string output, string? labels, DateTimeOffset start)
    {
        if (options.Count is not > 0)
        {
            throw new ArgumentException("--output needs --count: a file holds a history of a given length");
        }

        var seed = options.Seed ?? Random.Shared.Next();
        var factory = options.Factory(seed);
        var truth = new GeneratorRunner.GroundTruthCounts();
        var interval = TimeSpan.TicksPerSecond / options.Rate;
        var started = DateTimeOffset.UtcNow;
        using var lines = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using var labelled = labels is null ? null : new StreamWriter(labels, append: false, new UTF8Encoding(false));
        labelled?.WriteLine("transactionId,is_fraud");
        for (var i = 0L; i < options.Count; i++)
        {
            var generated = factory.Next(start.AddTicks((long)(i * interval)));
            lines.Write(TransactionJson.Write(generated.Transaction));
            lines.WriteByte((byte)'\n');
            labelled?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{generated.Transaction.TransactionId},{(generated.Scenario is null ? 0 : 1)}"));
            truth.Add(generated);
        }

        return truth.Stats(options.Traffic, options.Count.Value, 0, factory.PaceViolations, seed, Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 3), 0);
    }
}

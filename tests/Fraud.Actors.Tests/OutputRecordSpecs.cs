using System.Text;
using System.Text.Json;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>The legit and fraud records' value: the input extended by the verdict, or written anew when it must be.</summary>
public sealed class OutputRecordSpecs
{
    private static readonly RecordOrigin Origin = new("queueing.transactions", 3, 42, new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    private static readonly Verdict Fraud = new(0.9, [new RuleHit(LargeAmountRule.Id, 950m, 900m, null)], new DateTimeOffset(2026, 11, 24, 8, 0, 1, TimeSpan.Zero), "node-7");

    private static (string Text, JsonElement Root, InputSplice Splice) Output(string input)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        var parsed = TransactionParser.Parse(bytes, Origin);
        Assert.True(parsed.IsValid, parsed.Detail);
        var text = Encoding.UTF8.GetString(OutputRecords.WriteScored(bytes, parsed.Splice, parsed.Transaction!, Fraud));
        return (text, JsonDocument.Parse(text).RootElement.Clone(), parsed.Splice);
    }

    private static int Count(JsonElement root, string name) => root.EnumerateObject().Count(p => p.Name == name);

    [Fact]
    public void Should_keep_the_input_byte_for_byte_with_fields_we_do_not_know_and_add_the_verdict()
    {
        const string input = """{"transactionId":"t1","source":"A","amount":950.00,"currency":"EUR","timestamp":1795503600000,"loyalty":{"tier":"gold"} }  """;
        var (text, root, splice) = Output(input);

        Assert.Equal(InputSplice.AsIs, splice);
        Assert.StartsWith(input.TrimEnd()[..^1], text); // everything before the input's closing brace, unchanged
        Assert.Equal("gold", root.GetProperty("loyalty").GetProperty("tier").GetString());
        Assert.Equal(1795503600000, root.GetProperty("timestamp").GetInt64()); // as sent, not reformatted
        Assert.Equal("950.00", root.GetProperty("amount").GetRawText());
        var verdict = root.GetProperty("verdict");
        Assert.Equal(0.9, verdict.GetProperty("score").GetDouble());
        Assert.Equal("large-amount", verdict.GetProperty("rules")[0].GetProperty("id").GetString());
        Assert.Equal("node-7", verdict.GetProperty("detectorNode").GetString());
        Assert.Equal(1, Count(root, "verdict"));
    }

    [Fact]
    public void Should_name_the_rule_set_and_the_shadow_hits_only_when_there_are_some()
    {
        const string input = """{"transactionId":"t1","source":"A","amount":950.00,"currency":"EUR","timestamp":1795503600000}""";
        var bytes = Encoding.UTF8.GetBytes(input);
        var parsed = TransactionParser.Parse(bytes, Origin);
        var versioned = Fraud with { RuleSet = new RuleSetVersion(14, 7), Shadow = [new RuleHit("trial", 950m, 500m, "24h") { Version = 3 }] };

        var verdict = JsonDocument.Parse(OutputRecords.WriteScored(bytes, parsed.Splice, parsed.Transaction!, versioned)).RootElement.GetProperty("verdict");
        Assert.Equal("14.7", verdict.GetProperty("ruleSet").GetString());
        var shadow = Assert.Single(verdict.GetProperty("shadow").EnumerateArray());
        Assert.Equal(("trial", 3, "24h"), (shadow.GetProperty("id").GetString(), shadow.GetProperty("version").GetInt32(), shadow.GetProperty("window").GetString()));
        Assert.Equal("large-amount", verdict.GetProperty("rules")[0].GetProperty("id").GetString()); // the deciding hits apart

        var plain = JsonDocument.Parse(OutputRecords.WriteScored(bytes, parsed.Splice, parsed.Transaction!, Fraud)).RootElement.GetProperty("verdict");
        Assert.False(plain.TryGetProperty("ruleSet", out _));
        Assert.False(plain.TryGetProperty("shadow", out _));
        Assert.False(plain.GetProperty("rules")[0].TryGetProperty("historyPartialUntil", out _));
    }

    [Fact]
    public void Should_say_until_when_a_hits_history_is_partial()
    {
        const string input = """{"transactionId":"t1","source":"A","amount":950.00,"currency":"EUR","timestamp":1795503600000}""";
        var bytes = Encoding.UTF8.GetBytes(input);
        var parsed = TransactionParser.Parse(bytes, Origin);
        var until = new DateTimeOffset(2026, 12, 6, 21, 0, 1, TimeSpan.Zero);
        var partial = Fraud with { Rules = [new RuleHit("many-ips", 3, 2, "1h") { PartialUntil = until }] };

        var hit = JsonDocument.Parse(OutputRecords.WriteScored(bytes, parsed.Splice, parsed.Transaction!, partial)).RootElement.GetProperty("verdict").GetProperty("rules")[0];
        Assert.Equal("2026-12-06T21:00:01Z", hit.GetProperty("historyPartialUntil").GetString());
    }

    [Fact]
    public void Should_add_the_filled_in_id_and_time_to_a_seed_schema_message()
    {
        var (_, root, splice) = Output("""{"source":"S","target":"T","amount":950,"currency":"USD"}""");

        Assert.Equal(InputSplice.AddId | InputSplice.AddTimestamp, splice);
        Assert.Equal("queueing.transactions-3-42", root.GetProperty("transactionId").GetString());
        Assert.Equal(Origin.Timestamp, root.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("S", root.GetProperty("source").GetString());
        Assert.Equal(1, Count(root, "transactionId"));
        Assert.Equal(1, Count(root, "timestamp"));
    }

    [Theory]
    // A known field twice: we scored the last one, a reader downstream may take the first.
    [InlineData("""{"source":"S","amount":5000,"amount":950,"currency":"USD","transactionId":"t2","timestamp":"2026-11-24T08:00:00Z"}""")]
    // The input's own verdict would stand next to ours.
    [InlineData("""{"source":"S","amount":950,"verdict":{"score":0},"transactionId":"t2","timestamp":"2026-11-24T08:00:00Z"}""")]
    // Present but null: the fallback id would be a second transactionId.
    [InlineData("""{"source":"S","amount":950,"transactionId":null,"timestamp":"2026-11-24T08:00:00Z"}""")]
    public void Should_write_the_output_anew_when_the_input_cannot_be_extended_safely(string input)
    {
        var (_, root, splice) = Output(input);

        Assert.Equal(InputSplice.Rewrite, splice);
        Assert.Equal(950m, root.GetProperty("amount").GetDecimal());
        Assert.Equal(1, Count(root, "amount"));
        Assert.Equal(1, Count(root, "transactionId"));
        Assert.Equal(1, Count(root, "verdict"));
        Assert.Equal("node-7", root.GetProperty("verdict").GetProperty("detectorNode").GetString());
    }

    [Fact]
    public void Should_give_the_same_fields_either_way_for_a_message_in_the_generators_form()
    {
        var tx = new Transaction("t3", "ACC1", "MER1", 12.50m, "EUR", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero), "fuel", "DE", "dev-1");
        var input = TransactionJson.Write(tx);
        var spliced = OutputRecords.WriteScored(input, InputSplice.AsIs, tx, Fraud);
        var rewritten = OutputRecords.WriteScored(tx, Fraud);

        Assert.Equal(Encoding.UTF8.GetString(rewritten), Encoding.UTF8.GetString(spliced));
    }
}

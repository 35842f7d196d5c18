using System.Text;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

public sealed class TransactionParserSpecs
{
    private static readonly RecordOrigin Origin = new("queueing.transactions", 3, 42, new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    private static ParseResult Parse(string json) => TransactionParser.Parse(Encoding.UTF8.GetBytes(json), Origin);

    [Fact]
    public void Should_read_every_field_of_the_full_schema()
    {
        var result = Parse("""{"transactionId":"t1","source":"A","target":"M","amount":12.5,"currency":"EUR","timestamp":"2026-11-24T07:59:00Z","merchantCategory":"fuel","country":"DE","deviceId":"d","extra":[1,{"x":2}]}""");
        Assert.Equal(new Transaction("t1", "A", "M", 12.5m, "EUR", new DateTimeOffset(2026, 11, 24, 7, 59, 0, TimeSpan.Zero), "fuel", "DE", "d", ReceivedAt: Origin.Timestamp), result.Transaction);
    }

    [Fact]
    public void Should_read_field_names_and_values_given_with_escapes()
    {
        var tx = Parse("""{"\u0073ource":"A","amoun\u0074":7,"currency":"E\u0055R","merchantCategory":"caf\u00e9","transactionId":"t9"}""").Transaction!;
        Assert.Equal(("A", 7m, "EUR", "café", "t9"), (tx.Source, tx.Amount, tx.Currency, tx.MerchantCategory, tx.TransactionId));
    }

    [Fact]
    public void Should_share_one_string_per_recurring_currency_and_category_and_keep_each_value_exact()
    {
        var first = Parse("""{"source":"A","amount":1,"currency":"EUR","merchantCategory":"fuel"}""").Transaction!;
        var second = Parse("""{"source":"B","amount":2,"currency":"EUR","merchantCategory":"fuel"}""").Transaction!;
        Assert.Same(first.Currency, second.Currency);
        Assert.Same(first.MerchantCategory, second.MerchantCategory);

        // Values that may share a slot of the table are still told apart; long and non-ASCII ones are read as sent.
        var values = Enumerable.Range(0, 600).Select(i => $"c{i}").Append("grocery-and-supermarkets-online").Append("épicerie").ToList();
        foreach (var value in values.Concat(values))
        {
            Assert.Equal(value, Parse($$"""{"source":"A","amount":1,"merchantCategory":"{{value}}","currency":"{{value}}"}""").Transaction!.MerchantCategory);
            Assert.Equal(value, Parse($$"""{"source":"A","amount":1,"currency":"{{value}}"}""").Transaction!.Currency);
        }
    }

    [Fact]
    public void Should_share_one_string_per_known_country_and_keep_other_spellings_as_sent()
    {
        var first = Parse("""{"source":"A","amount":1,"country":"DE"}""").Transaction!;
        var second = Parse("""{"source":"B","amount":2,"country":"DE"}""").Transaction!;
        Assert.Same(first.Country, second.Country); // accounts' windows hold it: one instance, not one per record

        Assert.Equal("de", Parse("""{"source":"A","amount":1,"country":"de"}""").Transaction!.Country);
        Assert.Equal("XX", Parse("""{"source":"A","amount":1,"country":"XX"}""").Transaction!.Country);
        Assert.Equal("DE", Parse("""{"source":"A","amount":1,"country":"\u0044E"}""").Transaction!.Country);
        Assert.Equal(Countries.DistanceKm("DE", "FR"), Countries.DistanceKm("de", "fr"));
        Assert.InRange(Countries.DistanceKm("DE", "FR")!.Value, 500, 1000);
    }

    [Fact]
    public void Should_accept_the_seed_schema_with_fallback_id_and_time()
    {
        var result = Parse("""{"source":"123","target":"456","amount":950.25,"currency":"USD"}""");
        Assert.True(result.IsValid);
        Assert.Equal("queueing.transactions-3-42", result.Transaction!.TransactionId);
        Assert.Equal(Origin.Timestamp, result.Transaction.Timestamp);
        Assert.Equal(950.25m, result.Transaction.Amount);
    }

    [Theory]
    [InlineData("not json at all", RejectReasons.InvalidJson)]
    [InlineData("{\"source\":\"A\",\"amount\":1", RejectReasons.InvalidJson)]
    [InlineData("{\"source\":\"A\",\"amount\":1} trailing", RejectReasons.InvalidJson)]
    [InlineData("[1,2]", RejectReasons.NotAnObject)]
    [InlineData("{\"source\":\"A\"}", RejectReasons.AmountMissing)]
    [InlineData("{\"source\":\"A\",\"amount\":null}", RejectReasons.AmountMissing)]
    [InlineData("{\"source\":\"A\",\"amount\":\"12\"}", RejectReasons.AmountNotNumeric)]
    [InlineData("{\"source\":\"A\",\"amount\":-3}", RejectReasons.AmountNegative)]
    [InlineData("{\"amount\":3}", RejectReasons.MissingField)]
    [InlineData("{\"source\":\"A\",\"amount\":3,\"timestamp\":\"yesterday\"}", RejectReasons.InvalidTimestamp)]
    [InlineData("", RejectReasons.EmptyValue)]
    public void Should_reject_bad_input_with_a_reason(string json, string reason)
    {
        var result = Parse(json);
        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    [Fact]
    public void Should_round_trip_the_generator_json()
    {
        var tx = new Transaction("id-1", "A", "B", 10.01m, "GBP", new DateTimeOffset(2026, 11, 24, 7, 4, 5, 678, TimeSpan.Zero), "travel", "GB", "dev");
        Assert.Equal(tx with { ReceivedAt = Origin.Timestamp }, TransactionParser.Parse(TransactionJson.Write(tx), Origin).Transaction);
    }
}

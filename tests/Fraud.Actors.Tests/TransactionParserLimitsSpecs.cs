using System.Text;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>What a hostile or careless producer can put in a record, and the reason each one gets.</summary>
public sealed class TransactionParserLimitsSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private static readonly RecordOrigin Origin = new("queueing.transactions", 3, 42, Now);

    private static ParseResult Parse(string json, RecordLimits? limits = null) => Parse(Encoding.UTF8.GetBytes(json), limits);

    private static ParseResult Parse(byte[] value, RecordLimits? limits = null, RecordOrigin? origin = null) =>
        TransactionParser.Parse(value, origin ?? Origin, limits ?? RecordLimits.Default, Now);

    private static void AssertRejected(ParseResult result, string reason)
    {
        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    [Theory]
    [InlineData("""{"source":"\ud800","amount":1}""")]
    [InlineData("""{"source":"A","amount":1,"target":"x\udc00"}""")]
    [InlineData("""{"source":"A","amount":1,"note":"\ud83d"}""")]
    [InlineData("""{"source":"A","amount":1,"deep":[{"x":["\ud800\u0041"]}]}""")]
    [InlineData("""{"source":"A","amount":1,"\udfff":2}""")]
    [InlineData("""{"source":{"nested":"\ud800"},"amount":1}""")]
    public void Should_reject_an_escaped_lone_surrogate_anywhere(string json)
    {
        AssertRejected(Parse(json), RejectReasons.InvalidText);
    }

    [Fact]
    public void Should_accept_an_escaped_surrogate_pair_and_an_escaped_backslash_before_u()
    {
        var tx = Parse("""{"source":"A\ud83d\ude00","amount":1,"note":"\\ud800"}""").Transaction!;
        Assert.Equal("A\U0001F600", tx.Source);
    }

    [Theory]
    [InlineData("source")]
    [InlineData("currency")]
    [InlineData("unknown")]
    public void Should_reject_invalid_utf8_in_any_field(string field)
    {
        var value = Encoding.UTF8.GetBytes($$"""{"source":"A","amount":1,"{{field}}":"__"}""");
        var at = Encoding.UTF8.GetString(value).IndexOf("__", StringComparison.Ordinal);
        value[at] = 0xFF;
        value[at + 1] = 0xC0;
        AssertRejected(Parse(value), RejectReasons.InvalidText);
    }

    [Theory]
    [InlineData("99999999999999999")]
    [InlineData("-99999999999999999")]
    [InlineData("\"9999-12-31T23:59:59Z\"")]
    [InlineData("\"0001-01-01T00:00:00Z\"")]
    [InlineData("\"2026-11-24T08:06:00Z\"")] // six minutes after the record reached Kafka
    [InlineData("\"2026-11-16T07:59:00Z\"")] // eight days before
    public void Should_reject_a_timestamp_out_of_range(string timestamp)
    {
        AssertRejected(Parse($$"""{"source":"A","amount":1,"timestamp":{{timestamp}}}"""), RejectReasons.TimestampOutOfRange);
    }

    [Theory]
    [InlineData("\"0001-01-01T00:00:00+01:00\"")]
    [InlineData("\"9999-12-31T23:59:59-05:00\"")]
    [InlineData("1.5e12")]
    public void Should_reject_a_timestamp_that_is_no_instant(string timestamp)
    {
        AssertRejected(Parse($$"""{"source":"A","amount":1,"timestamp":{{timestamp}}}"""), RejectReasons.InvalidTimestamp);
    }

    [Fact]
    public void Should_accept_timestamps_within_the_skews_and_cap_the_rules_time_at_the_arrival()
    {
        var future = Parse("""{"source":"A","amount":1,"timestamp":"2026-11-24T08:04:00Z"}""").Transaction!;
        Assert.Equal(Now, future.ReceivedAt);
        Assert.Equal((Now + EventTime.Tolerance).UtcTicks, EventTime.TicksOf(future)); // counted as arrived, not as claimed
        var past = Parse("""{"source":"A","amount":1,"timestamp":"2026-11-18T08:00:00Z"}""").Transaction!;
        Assert.Equal(past.Timestamp.UtcTicks, EventTime.TicksOf(past));
    }

    [Fact]
    public void Should_take_this_nodes_clock_as_the_arrival_when_the_log_time_is_missing_or_ahead_of_it()
    {
        var none = new RecordOrigin("t", 0, 1, default);
        Assert.Equal(Now, Parse(Encoding.UTF8.GetBytes("""{"source":"A","amount":1}"""), origin: none).Transaction!.Timestamp);
        var ahead = new RecordOrigin("t", 0, 1, Now.AddYears(10));
        var tx = Parse(Encoding.UTF8.GetBytes("""{"source":"A","amount":1,"timestamp":"2036-11-24T08:00:00Z"}"""), origin: ahead);
        AssertRejected(tx, RejectReasons.TimestampOutOfRange);
    }

    [Theory]
    [InlineData("79228162514264337593543950335")]
    [InlineData("1000000000000.01")]
    public void Should_reject_an_amount_above_the_maximum(string amount)
    {
        AssertRejected(Parse($$"""{"source":"A","amount":{{amount}}}"""), RejectReasons.AmountOutOfRange);
    }

    [Fact]
    public void Should_reject_an_amount_beyond_decimal_as_not_numeric()
    {
        AssertRejected(Parse("""{"source":"A","amount":1e400}"""), RejectReasons.AmountNotNumeric);
    }

    [Theory]
    [InlineData("transactionId")]
    [InlineData("source")]
    [InlineData("target")]
    [InlineData("currency")]
    [InlineData("merchantCategory")]
    [InlineData("country")]
    [InlineData("deviceId")]
    public void Should_reject_a_known_field_longer_than_the_limit(string field)
    {
        var json = $$"""{"source":"A","amount":1,"{{field}}":"{{new string('x', 257)}}"}""";
        AssertRejected(Parse(json), RejectReasons.FieldTooLong);
        Assert.True(Parse($$"""{"source":"A","amount":1,"{{field}}":"{{new string('x', 3)}}"}""").IsValid);
    }

    [Fact]
    public void Should_reject_a_record_larger_than_the_limit_whatever_it_holds()
    {
        var json = $$"""{"source":"A","amount":1,"note":"{{new string('n', 70_000)}}"}""";
        AssertRejected(Parse(json), RejectReasons.RecordTooLarge);
        Assert.True(Parse(json, new RecordLimits { MaxRecordBytes = 100_000 }).IsValid);
    }

    [Fact]
    public void Should_reject_json_nested_deeper_than_the_limit()
    {
        var json = $$"""{"source":"A","amount":1,"n":{{new string('[', 40)}}{{new string(']', 40)}}}""";
        AssertRejected(Parse(json), RejectReasons.InvalidJson);
    }

    [Fact]
    public void Should_tell_a_null_value_from_an_empty_one()
    {
        AssertRejected(TransactionParser.Parse((byte[]?)null, Origin, RecordLimits.Default, Now), RejectReasons.NullValue);
        AssertRejected(Parse([]), RejectReasons.EmptyValue);
    }

    [Fact]
    public void Should_name_every_setting_out_of_range()
    {
        Assert.Null(new RecordLimits().Problem());
        Assert.Contains("Limits:MaxRecordBytes", new RecordLimits { MaxRecordBytes = 0 }.Problem());
        Assert.Contains("Limits:MaxAmount", new RecordLimits { MaxAmount = -1 }.Problem());
        Assert.Contains("Limits:MaxOutputBytes", new RecordLimits { MaxOutputBytes = 10 }.Problem());
    }
}

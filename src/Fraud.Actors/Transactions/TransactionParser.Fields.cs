using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

// The field readers of the one-pass parse: each returns a value or a reason, none throws on any input.
public static partial class TransactionParser
{
    private static ParseResult InvalidText(string where) =>
        ParseResult.Reject(RejectReasons.InvalidText, $"{where} holds an escaped lone surrogate (\\uD800-\\uDFFF without its pair)");

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    // The earliest and latest instants a DateTimeOffset holds, as Unix milliseconds.
    private static readonly long MinEpochMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxEpochMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>An ISO-8601 string or epoch milliseconds, in UTC; or the reason it is neither, or not a representable instant.</summary>
    private static (DateTimeOffset Time, ParseResult? Problem) ReadTimestamp(ref Utf8JsonReader reader)
    {
        if (!JsonText.IsValid(ref reader))
        {
            return (default, InvalidText("timestamp"));
        }

        // A time whose offset takes it past the calendar's ends in UTC is not read: it is no instant (invalid-timestamp).
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var time))
        {
            return (time.ToUniversalTime(), null);
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var epochMs))
        {
            return epochMs < MinEpochMs || epochMs > MaxEpochMs
                ? (default, ParseResult.Reject(RejectReasons.TimestampOutOfRange, $"timestamp {epochMs} (epoch milliseconds) lies outside the years 1 to 9999"))
                : (DateTimeOffset.FromUnixTimeMilliseconds(epochMs), null);
        }

        if (!JsonText.SkipChecked(ref reader))
        {
            return (default, InvalidText("timestamp"));
        }

        return (default, ParseResult.Reject(RejectReasons.InvalidTimestamp, "timestamp is neither ISO-8601 nor epoch milliseconds"));
    }

    // A fallback is added to the input's bytes only when the field is absent; present but null (or of no usable type), a
    // second one would follow it, so the output is written anew.
    private static InputSplice Fallback(bool filledIn, int seen, Known field, InputSplice add) =>
        !filledIn ? InputSplice.AsIs : (seen & (1 << (int)field)) == 0 ? add : InputSplice.Rewrite;

    private enum Known
    {
        Other,
        TransactionId,
        Source,
        Target,
        Amount,
        Currency,
        Timestamp,
        MerchantCategory,
        Country,
        DeviceId,
    }

    private static string NameOf(Known field) => field switch
    {
        Known.TransactionId => "transactionId",
        Known.Source => "source",
        Known.Target => "target",
        Known.Amount => "amount",
        Known.Currency => "currency",
        Known.Timestamp => "timestamp",
        Known.MerchantCategory => "merchantCategory",
        Known.Country => "country",
        Known.DeviceId => "deviceId",
        _ => "a field",
    };

    /// <summary>A named input field's value: text and, when it reads as one, number (a string of digits counts: producers often quote numbers).</summary>
    private static InputValue ReadInputValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return new InputValue(Encoding.UTF8.GetString(reader.ValueSpan), reader.TryGetDecimal(out var number) ? number : null);
            case JsonTokenType.True:
                return new InputValue("true", null);
            case JsonTokenType.False:
                return new InputValue("false", null);
            default:
                var text = reader.GetString();
                return new InputValue(text, decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) ? parsed : null);
        }
    }

    private static bool IsScalar(JsonTokenType token) => token is JsonTokenType.String or JsonTokenType.Number;

    // Few distinct values each, in every record: one string per value, not one per record (see RecurringText).
    private static readonly RecurringText Currencies = new();
    private static readonly RecurringText Categories = new();

    private static string? ReadRecurring(ref Utf8JsonReader reader, RecurringText table) =>
        IsPlainString(ref reader) ? table.Get(reader.ValueSpan) : ReadText(ref reader);

    // A string whose bytes are its text, in one span: it can be looked up without being decoded first.
    private static bool IsPlainString(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence;

    private static Known Field(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("source"u8) ? Known.Source
        : reader.ValueTextEquals("amount"u8) ? Known.Amount
        : reader.ValueTextEquals("target"u8) ? Known.Target
        : reader.ValueTextEquals("currency"u8) ? Known.Currency
        : reader.ValueTextEquals("transactionId"u8) ? Known.TransactionId
        : reader.ValueTextEquals("timestamp"u8) ? Known.Timestamp
        : reader.ValueTextEquals("merchantCategory"u8) ? Known.MerchantCategory
        : reader.ValueTextEquals("country"u8) ? Known.Country
        : reader.ValueTextEquals("deviceId"u8) ? Known.DeviceId
        : Known.Other;

    // An object or array where text is expected counts as absent; its contents were checked for lone surrogates already.
    private static string? ReadText(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => SkipAndNull(ref reader),
    };

    // Known codes come from the country table, not a new string: accounts' windows keep them (see Countries.KnownCode).
    private static string? ReadCountry(ref Utf8JsonReader reader) =>
        IsPlainString(ref reader) && Countries.KnownCode(reader.ValueSpan) is { } code
            ? code
            : ReadText(ref reader);

    private static string? SkipAndNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }
}

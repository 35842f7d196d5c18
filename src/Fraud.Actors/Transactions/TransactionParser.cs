using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Transactions;

/// <summary>Why a record could not be scored. Travels in the dead-letter header <c>x-dead-letter-reason</c>.</summary>
public static class RejectReasons
{
    public const string NullValue = "null-value";
    public const string EmptyValue = "empty-value";
    public const string RecordTooLarge = "record-too-large";
    public const string InvalidText = "invalid-text";
    public const string InvalidJson = "invalid-json";
    public const string NotAnObject = "not-an-object";
    public const string MissingField = "missing-field";
    public const string FieldTooLong = "field-too-long";
    public const string AmountMissing = "amount-missing";
    public const string AmountNotNumeric = "amount-not-numeric";
    public const string AmountNegative = "amount-negative";
    public const string AmountOutOfRange = "amount-out-of-range";
    public const string InvalidTimestamp = "invalid-timestamp";
    public const string TimestampOutOfRange = "timestamp-out-of-range";

    /// <summary>Parsing, scoring or writing the record threw: a bug of ours, isolated to this record.</summary>
    public const string InternalError = "internal-error";

    /// <summary>The record was scored, but its output would be larger than <see cref="RecordLimits.MaxOutputBytes"/>.</summary>
    public const string OutputTooLarge = "output-too-large";
}

/// <summary>
/// How a scored record's output can be made from its input's bytes (see <see cref="Detection.OutputRecords"/>): as they
/// came plus the verdict, plus the fields that were filled in, or written anew from the parsed transaction.
/// </summary>
[Flags]
public enum InputSplice
{
    /// <summary>The input object as it came, then the verdict.</summary>
    AsIs = 0,

    /// <summary>The id was missing: the fallback id (topic-partition-offset) is added.</summary>
    AddId = 1,

    /// <summary>The timestamp was missing: the record's timestamp is added.</summary>
    AddTimestamp = 2,

    /// <summary>
    /// Written anew from the parsed fields: a known field came twice (a reader downstream might take the other one than
    /// we scored), or the input has a <c>verdict</c> of its own.
    /// </summary>
    Rewrite = 4,
}

/// <summary>The outcome of parsing: a transaction, or a reason and a human-readable detail.</summary>
public readonly record struct ParseResult(Transaction? Transaction, string? Reason, string? Detail, InputSplice Splice = InputSplice.Rewrite)
{
    public bool IsValid => Transaction is not null;

    public static ParseResult Ok(Transaction transaction, InputSplice splice = InputSplice.Rewrite) => new(transaction, null, null, splice);

    public static ParseResult Reject(string reason, string detail) => new(null, reason, detail);
}

/// <summary>
/// Reads the transaction JSON in one pass with <see cref="Utf8JsonReader"/>. Accepts the seed's schema
/// (<c>source, target, amount, currency</c> only): the id then falls back to topic-partition-offset and the time to
/// the record's timestamp, so old producers keep working. Unknown fields are ignored by the rules (and kept in the
/// output, see <see cref="InputSplice"/>). Every input gets a result or a reason: the record is checked against
/// <see cref="RecordLimits"/>, and its text is valid UTF-8 with no lone surrogate anywhere, so an output made from its
/// bytes is valid UTF-8 JSON too.
/// </summary>
public static class TransactionParser
{
    /// <summary>Parses with the default limits, the record's timestamp (or this node's clock) as its arrival.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> json, RecordOrigin origin) =>
        Parse(json, origin, RecordLimits.Default, DateTimeOffset.UtcNow);

    /// <summary>A record's value, which may be null (a tombstone).</summary>
    public static ParseResult Parse(byte[]? value, RecordOrigin origin, RecordLimits limits, DateTimeOffset now) =>
        value is null
            ? ParseResult.Reject(RejectReasons.NullValue, "the record's value is null")
            : Parse(value.AsSpan(), origin, limits, now);

    /// <param name="now">This node's clock: the arrival of a record without a usable timestamp of its own.</param>
    public static ParseResult Parse(ReadOnlySpan<byte> json, RecordOrigin origin, RecordLimits limits, DateTimeOffset now)
    {
        if (json.IsEmpty)
        {
            return ParseResult.Reject(RejectReasons.EmptyValue, "the record has no value");
        }

        if (json.Length > limits.MaxRecordBytes)
        {
            return ParseResult.Reject(RejectReasons.RecordTooLarge, $"the value has {json.Length} bytes, more than Limits:MaxRecordBytes ({limits.MaxRecordBytes})");
        }

        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return ParseResult.Reject(RejectReasons.InvalidText, "the value is not valid UTF-8");
        }

        string? id = null, source = null, target = null, currency = null, category = null, country = null, device = null;
        decimal? amount = null;
        DateTimeOffset? timestamp = null;
        var seen = 0; // one bit per known field
        var rewrite = false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = limits.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return ParseResult.Reject(RejectReasons.NotAnObject, "the value is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!JsonText.IsValid(ref reader))
                {
                    return InvalidText("a field name");
                }

                // Property names are compared as UTF-8 bytes: no string is made for a name.
                var field = Field(ref reader);
                if (field == Known.Other)
                {
                    rewrite |= reader.ValueTextEquals("verdict"u8);
                }
                else
                {
                    rewrite |= (seen & (1 << (int)field)) != 0;
                    seen |= 1 << (int)field;
                }

                reader.Read();
                if (field is not (Known.Other or Known.Amount or Known.Timestamp))
                {
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        // Where text is expected, an object or an array counts as absent.
                        if (!JsonText.SkipChecked(ref reader))
                        {
                            return InvalidText(NameOf(field));
                        }

                        continue;
                    }

                    if (!JsonText.IsValid(ref reader))
                    {
                        return InvalidText(NameOf(field));
                    }

                    if (IsScalar(reader.TokenType) && reader.ValueSpan.Length > limits.MaxFieldBytes)
                    {
                        return ParseResult.Reject(RejectReasons.FieldTooLong,
                            $"{NameOf(field)} has {reader.ValueSpan.Length} bytes, more than Limits:MaxFieldBytes ({limits.MaxFieldBytes})");
                    }
                }

                switch (field)
                {
                    case Known.TransactionId: id = ReadText(ref reader); break;
                    case Known.Source: source = ReadText(ref reader); break;
                    case Known.Target: target = ReadText(ref reader); break;
                    case Known.Currency: currency = ReadRecurring(ref reader, Currencies); break;
                    case Known.MerchantCategory: category = ReadRecurring(ref reader, Categories); break;
                    case Known.Country: country = ReadCountry(ref reader); break;
                    case Known.DeviceId: device = ReadText(ref reader); break;
                    case Known.Amount:
                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            break;
                        }

                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value))
                        {
                            var token = reader.TokenType;
                            if (!JsonText.SkipChecked(ref reader))
                            {
                                return InvalidText("amount");
                            }

                            return ParseResult.Reject(RejectReasons.AmountNotNumeric,
                                token == JsonTokenType.Number ? "amount is a number outside decimal's range" : $"amount is not a number ({token})");
                        }

                        amount = value;
                        break;
                    case Known.Timestamp:
                        if (reader.TokenType == JsonTokenType.Null)
                        {
                            break;
                        }

                        var (time, problem) = ReadTimestamp(ref reader);
                        if (problem is not null)
                        {
                            return problem.Value;
                        }

                        timestamp = time;
                        break;
                    default:
                        if (!JsonText.SkipChecked(ref reader))
                        {
                            return InvalidText("a field's value");
                        }

                        break;
                }
            }

            // Read to the end so trailing garbage after the object is caught too.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            return ParseResult.Reject(RejectReasons.InvalidJson, e.Message);
        }

        if (amount is null)
        {
            return ParseResult.Reject(RejectReasons.AmountMissing, "amount is missing");
        }

        if (amount < 0)
        {
            return ParseResult.Reject(RejectReasons.AmountNegative, $"amount {amount.Value.ToString(CultureInfo.InvariantCulture)} is negative");
        }

        if (amount > limits.MaxAmount)
        {
            return ParseResult.Reject(RejectReasons.AmountOutOfRange,
                $"amount {amount.Value.ToString(CultureInfo.InvariantCulture)} is above Limits:MaxAmount ({limits.MaxAmount.ToString(CultureInfo.InvariantCulture)})");
        }

        if (string.IsNullOrEmpty(source))
        {
            return ParseResult.Reject(RejectReasons.MissingField, "source (the paying account) is missing");
        }

        var arrival = EventTime.Arrival(origin.Timestamp, now);
        if (timestamp is { } claimed)
        {
            // In ticks: the same comparisons as DateTimeOffset's, without its range checks on every record.
            var (claimedTicks, arrivalTicks) = (claimed.UtcTicks, arrival.UtcTicks);
            if (claimedTicks - arrivalTicks > limits.MaxFutureSkew.Ticks)
            {
                return ParseResult.Reject(RejectReasons.TimestampOutOfRange,
                    $"timestamp {Format(claimed)} is more than Limits:MaxFutureSkew ({limits.MaxFutureSkew}) after the record reached Kafka ({Format(arrival)})");
            }

            if (arrivalTicks - claimedTicks > limits.MaxEventAge.Ticks)
            {
                return ParseResult.Reject(RejectReasons.TimestampOutOfRange,
                    $"timestamp {Format(claimed)} is more than Limits:MaxEventAge ({limits.MaxEventAge}) before the record reached Kafka ({Format(arrival)})");
            }
        }

        var splice = rewrite ? InputSplice.Rewrite : Fallback(id is null, seen, Known.TransactionId, InputSplice.AddId) | Fallback(timestamp is null, seen, Known.Timestamp, InputSplice.AddTimestamp);
        return ParseResult.Ok(new Transaction(
            id ?? origin.ToString(),
            source,
            target ?? "",
            amount.Value,
            currency ?? "",
            timestamp ?? arrival,
            category,
            country,
            device,
            arrival), splice);
    }

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

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>
/// Reads the transaction JSON in one pass with <see cref="Utf8JsonReader"/>. Accepts the seed's schema
/// (<c>source, target, amount, currency</c> only): the id then falls back to topic-partition-offset and the time to
/// the record's timestamp, so old producers keep working. Unknown fields are ignored by the rules (and kept in the
/// output, see <see cref="InputSplice"/>). Every input gets a result or a reason: the record is checked against
/// <see cref="RecordLimits"/>, and its text is valid UTF-8 with no lone surrogate anywhere, so an output made from its
/// bytes is valid UTF-8 JSON too.
/// </summary>
public static partial class TransactionParser
{
    /// <summary>Parses with the default limits, the record's timestamp (or this node's clock) as its arrival.</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> json, RecordOrigin origin) =>
        Parse(json, origin, RecordLimits.Default, DateTimeOffset.UtcNow);

    /// <summary>A record's value, which may be null (a tombstone).</summary>
    public static ParseResult Parse(byte[]? value, RecordOrigin origin, RecordLimits limits, DateTimeOffset now, InputFields? fields = null) =>
        value is null
            ? ParseResult.Reject(RejectReasons.NullValue, "the record's value is null")
            : Parse(value.AsSpan(), origin, limits, now, fields);

    /// <param name="now">This node's clock: the arrival of a record without a usable timestamp of its own.</param>
    /// <param name="fields">Unknown fields whose values the rules read, kept in <see cref="Transaction.Fields"/>.</param>
    public static ParseResult Parse(ReadOnlySpan<byte> json, RecordOrigin origin, RecordLimits limits, DateTimeOffset now, InputFields? fields = null)
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
        var values = fields is { Count: > 0 } ? new InputValue[fields.Count] : null;
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
                var named = -1;
                if (field == Known.Other)
                {
                    rewrite |= reader.ValueTextEquals("verdict"u8);
                    named = values is null ? -1 : fields!.IndexOf(ref reader);
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
                        if (named >= 0 && reader.TokenType is JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False)
                        {
                            if (!JsonText.IsValid(ref reader))
                            {
                                return InvalidText(fields!.Names[named]);
                            }

                            if (reader.ValueSpan.Length > limits.MaxFieldBytes)
                            {
                                return ParseResult.Reject(RejectReasons.FieldTooLong,
                                    $"{fields!.Names[named]} has {reader.ValueSpan.Length} bytes, more than Limits:MaxFieldBytes ({limits.MaxFieldBytes})");
                            }

                            values![named] = ReadInputValue(ref reader);
                            break;
                        }

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
            arrival) { Fields = values, FieldsRead = values is null ? null : fields }, splice);
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

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

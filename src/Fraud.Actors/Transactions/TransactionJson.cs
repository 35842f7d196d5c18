using System.Buffers;
using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>The transaction's JSON: what the generator writes and what the verdict envelope starts with.</summary>
public static class TransactionJson
{
    public static byte[] Write(Transaction tx) => PooledJson.Write(tx, static (json, t) =>
    {
        json.WriteStartObject();
        WriteFields(json, t);
        json.WriteEndObject();
    });

    // Property names encoded once: a name passed as a string is transcoded and checked for escaping on every write.
    internal static readonly JsonEncodedText TransactionIdName = JsonEncodedText.Encode("transactionId");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Target = JsonEncodedText.Encode("target");
    private static readonly JsonEncodedText Amount = JsonEncodedText.Encode("amount");
    private static readonly JsonEncodedText Currency = JsonEncodedText.Encode("currency");
    internal static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText MerchantCategory = JsonEncodedText.Encode("merchantCategory");
    private static readonly JsonEncodedText Country = JsonEncodedText.Encode("country");
    private static readonly JsonEncodedText DeviceId = JsonEncodedText.Encode("deviceId");

    /// <summary>Writes the fields into an object already started, so envelopes can add their own after them.</summary>
    public static void WriteFields(Utf8JsonWriter json, Transaction tx)
    {
        json.WriteString(TransactionIdName, tx.TransactionId);
        json.WriteString(Source, tx.Source);
        json.WriteString(Target, tx.Target);
        json.WriteNumber(Amount, tx.Amount);
        json.WriteString(Currency, tx.Currency);
        json.WriteString(TimestampName, tx.Timestamp.UtcDateTime);
        WriteOptional(json, MerchantCategory, tx.MerchantCategory);
        WriteOptional(json, Country, tx.Country);
        WriteOptional(json, DeviceId, tx.DeviceId);
    }

    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}

/// <summary>
/// Writes JSON through one buffer and one <see cref="Utf8JsonWriter"/> per thread, reused record after record: the only
/// allocation left per record is the resulting array, which goes to Kafka.
/// </summary>
public static class PooledJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    public static byte[] Write<T>(T value, Action<Utf8JsonWriter, T> write)
    {
        var (buffer, writer) = Empty();
        writer.Reset(buffer);
        write(writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <paramref name="objectWithoutEnd"/> (a JSON object's bytes up to, not including, its closing brace; at least one
    /// property) followed by the properties <paramref name="writeProperties"/> writes, and the closing brace.
    /// </summary>
    public static byte[] Extend<T>(ReadOnlySpan<byte> objectWithoutEnd, T value, Action<Utf8JsonWriter, T> writeProperties)
    {
        var (buffer, writer) = Empty();
        buffer.Write(objectWithoutEnd);
        var joint = buffer.WrittenCount;
        // The writer writes the new properties as an object of their own; its opening brace becomes the comma that
        // continues the input's object, and its closing brace closes both.
        writer.Reset(buffer);
        writer.WriteStartObject();
        writeProperties(writer, value);
        writer.WriteEndObject();
        writer.Flush();
        var result = buffer.WrittenSpan.ToArray();
        result[joint] = (byte)',';
        return result;
    }

    /// <summary>This thread's buffer, emptied, and its writer (to be reset onto the buffer once it holds what goes first).</summary>
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Empty()
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        return (buffer, writer);
    }
}

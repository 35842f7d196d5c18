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

    /// <summary>Writes the fields into an object already started, so envelopes can add their own after them.</summary>
    public static void WriteFields(Utf8JsonWriter json, Transaction tx)
    {
        json.WriteString("transactionId", tx.TransactionId);
        json.WriteString("source", tx.Source);
        json.WriteString("target", tx.Target);
        json.WriteNumber("amount", tx.Amount);
        json.WriteString("currency", tx.Currency);
        json.WriteString("timestamp", tx.Timestamp.UtcDateTime);
        WriteOptional(json, "merchantCategory", tx.MerchantCategory);
        WriteOptional(json, "country", tx.Country);
        WriteOptional(json, "deviceId", tx.DeviceId);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
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
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(512);
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        write(writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}

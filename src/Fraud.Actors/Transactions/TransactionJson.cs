using System.Text.Json;

namespace Fraud.Actors.Transactions;

/// <summary>The transaction's JSON: what the generator writes and what the verdict envelope starts with.</summary>
public static class TransactionJson
{
    public static byte[] Write(Transaction tx)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteFields(json, tx);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

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

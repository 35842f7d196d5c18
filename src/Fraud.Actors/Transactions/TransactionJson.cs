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

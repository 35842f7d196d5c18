using System.Text;
using System.Text.Json;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// The output contract. Legit and fraud records: the input's JSON object as it came (every field, unknown ones too,
/// byte for byte) plus the fields that were filled in and a <c>verdict</c> object, keyed by the account; written anew
/// from the parsed fields only when the input cannot be extended safely (see <see cref="InputSplice"/>). Dead letters:
/// the original key, value and headers untouched, plus <c>x-dead-letter-*</c> headers that say why and where from.
/// </summary>
/// <remarks>
/// Why extend the input instead of writing every field again: that wrote each field parsed into a string back into
/// JSON (decimal and date formatting, escaping checks), the larger part of the ~1.3 µs an output took; copying the bytes
/// is a memory copy. Downstream systems also get the fields we do not know, which a rewrite dropped.
/// </remarks>
public static class OutputRecords
{
    public const string ReasonHeader = "x-dead-letter-reason";
    public const string DetailHeader = "x-dead-letter-detail";
    public const string OriginHeader = "x-dead-letter-origin";

    public static OutboundRecord<TAck> ToOutbound<TAck>(ScoredRecord<TAck> scored)
    {
        if (scored.Outcome == Outcome.DeadLetter)
        {
            var headers = new List<KeyValuePair<string, byte[]>>(scored.Input.Headers.Count + 3);
            headers.AddRange(scored.Input.Headers);
            headers.Add(new(ReasonHeader, Encoding.UTF8.GetBytes(scored.RejectReason ?? "unknown")));
            headers.Add(new(DetailHeader, Encoding.UTF8.GetBytes(scored.RejectDetail ?? "")));
            headers.Add(new(OriginHeader, Encoding.UTF8.GetBytes(scored.Input.Origin.ToString())));
            return new OutboundRecord<TAck>(Outcome.DeadLetter, scored.Input.Key, scored.Input.Value ?? [], headers, scored);
        }

        var tx = scored.Transaction!;
        return new OutboundRecord<TAck>(
            scored.Outcome,
            Key(scored.Input.Key, tx.Source),
            WriteScored(scored.Input.Value, scored.Splice, tx, scored.Verdict!),
            scored.Input.Headers,
            scored);
    }

    /// <summary>The account as the key: the input's own key when it already is (the usual case), else encoded anew.</summary>
    private static byte[] Key(byte[]? inputKey, string account)
    {
        if (inputKey is not null && inputKey.Length == Encoding.UTF8.GetByteCount(account))
        {
            Span<byte> encoded = inputKey.Length <= 256 ? stackalloc byte[inputKey.Length] : new byte[inputKey.Length];
            Encoding.UTF8.GetBytes(account, encoded);
            if (encoded.SequenceEqual(inputKey))
            {
                return inputKey;
            }
        }

        return Encoding.UTF8.GetBytes(account);
    }

    // Encoded once (see TransactionJson): names given as strings are transcoded and checked for escaping on every write.
    private static readonly JsonEncodedText VerdictName = JsonEncodedText.Encode("verdict");
    private static readonly JsonEncodedText ScoreName = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText RulesName = JsonEncodedText.Encode("rules");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ObservedName = JsonEncodedText.Encode("observed");
    private static readonly JsonEncodedText LimitName = JsonEncodedText.Encode("limit");
    private static readonly JsonEncodedText WindowName = JsonEncodedText.Encode("window");
    private static readonly JsonEncodedText DetectedAtName = JsonEncodedText.Encode("detectedAt");
    private static readonly JsonEncodedText DetectorNodeName = JsonEncodedText.Encode("detectorNode");
    private static readonly JsonEncodedText LateName = JsonEncodedText.Encode("late");

    /// <summary>
    /// The output of a scored record: <paramref name="input"/> extended by the filled-in fields and the verdict, or,
    /// when <paramref name="splice"/> says so (or the bytes are not an object), the transaction written anew.
    /// </summary>
    public static byte[] WriteScored(ReadOnlySpan<byte> input, InputSplice splice, Transaction tx, Verdict verdict)
    {
        var end = (splice & InputSplice.Rewrite) == 0 ? ClosingBrace(input) : -1;
        if (end < 0)
        {
            return WriteScored(tx, verdict);
        }

        return PooledJson.Extend(input[..end], (tx, verdict, splice), static (json, scored) =>
        {
            var (transaction, v, filledIn) = scored;
            if ((filledIn & InputSplice.AddId) != 0)
            {
                json.WriteString(TransactionJson.TransactionIdName, transaction.TransactionId);
            }

            if ((filledIn & InputSplice.AddTimestamp) != 0)
            {
                json.WriteString(TransactionJson.TimestampName, transaction.Timestamp.UtcDateTime);
            }

            WriteVerdict(json, v);
        });
    }

    /// <summary>The transaction's fields plus its verdict, written from the parsed transaction.</summary>
    public static byte[] WriteScored(Transaction tx, Verdict verdict) => PooledJson.Write((tx, verdict), static (json, scored) =>
    {
        json.WriteStartObject();
        TransactionJson.WriteFields(json, scored.tx);
        WriteVerdict(json, scored.verdict);
        json.WriteEndObject();
    });

    // Where the object's closing brace is: the parser read the whole value as one object, so only whitespace follows it.
    private static int ClosingBrace(ReadOnlySpan<byte> input)
    {
        var end = input.TrimEnd(" \t\r\n"u8).Length - 1;
        return end > 0 && input[end] == (byte)'}' && input[0] == (byte)'{' ? end : -1;
    }

    private static void WriteVerdict(Utf8JsonWriter json, Verdict v)
    {
        json.WriteStartObject(VerdictName);
        json.WriteNumber(ScoreName, v.Score);
        json.WriteStartArray(RulesName);
        for (var i = 0; i < v.Rules.Count; i++) // an index: foreach over the interface would allocate its enumerator
        {
            var hit = v.Rules[i];
            json.WriteStartObject();
            json.WriteString(IdName, hit.Id);
            json.WriteNumber(ObservedName, hit.Observed);
            json.WriteNumber(LimitName, hit.Limit);
            if (hit.Window is null)
            {
                json.WriteNull(WindowName);
            }
            else
            {
                json.WriteString(WindowName, hit.Window);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString(DetectedAtName, v.DetectedAt.UtcDateTime);
        json.WriteString(DetectorNodeName, v.DetectorNode);
        if (v.Late)
        {
            json.WriteBoolean(LateName, true);
        }

        json.WriteEndObject();
    }
}

using System.Text;
using System.Text.Json;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Detection;

/// <summary>
/// The output contract. Legit and fraud records: the transaction's JSON plus a <c>verdict</c> object, keyed by the
/// account. Dead letters: the original key, value and headers untouched, plus <c>x-dead-letter-*</c> headers that say
/// why and where from.
/// </summary>
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
            Encoding.UTF8.GetBytes(tx.Source),
            WriteScored(tx, scored.Verdict!),
            scored.Input.Headers,
            scored);
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

    /// <summary>The transaction plus its verdict, as written to the legit and fraud topics.</summary>
    public static byte[] WriteScored(Transaction tx, Verdict verdict) => PooledJson.Write((tx, verdict), static (json, scored) =>
    {
        var (transaction, v) = scored;
        json.WriteStartObject();
        TransactionJson.WriteFields(json, transaction);
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
        json.WriteEndObject();
    });
}

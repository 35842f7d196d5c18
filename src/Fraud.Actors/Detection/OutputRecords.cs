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
/// Why extend the input instead of writing every field again: formatting every parsed field back into JSON was most of
/// an output's cost, where copying the bytes is a memory copy; and downstream systems keep the fields we do not know.
/// </remarks>
public static class OutputRecords
{
    public const string ReasonHeader = "x-dead-letter-reason";
    public const string DetailHeader = "x-dead-letter-detail";
    public const string OriginHeader = "x-dead-letter-origin";

    /// <summary>
    /// On a review output: the input it came from (<c>topic-partition-offset</c>), so that the review queue can ask the
    /// account's partition for its history. Only reviews carry it: they are few, and every other output keeps its bytes.
    /// </summary>
    public const string ReviewOriginHeader = "x-fraud-origin";

    /// <summary>On a dead letter cut to fit the broker: which parts were cut (<c>value</c>, <c>key</c>, <c>headers</c>).</summary>
    public const string TruncatedHeader = "x-dead-letter-truncated";

    /// <summary>On a cut dead letter: the original value's length in bytes and its SHA-256 (hex).</summary>
    public const string OriginalBytesHeader = "x-dead-letter-original-bytes";
    public const string OriginalSha256Header = "x-dead-letter-original-sha256";

    // A detail is a sentence, never the record's content: bounded, so that a dead letter's headers stay small.
    private const int MaxDetailBytes = 512;

    // What librdkafka adds to a record's key, value and headers on the wire, generously (its own bound is ~40 bytes).
    private const int RecordOverhead = 256;

    /// <summary>With the default limits (tests, tools).</summary>
    public static OutboundRecord<TAck> ToOutbound<TAck>(ScoredRecord<TAck> scored) => ToOutbound(scored, RecordLimits.Default);

    /// <summary>
    /// The record to write for <paramref name="scored"/>, whatever it holds: a legit or fraud output that cannot be made
    /// (a bug of ours) or that would be larger than <see cref="RecordLimits.MaxOutputBytes"/> becomes a dead letter, and a
    /// dead letter that would be is cut to fit. Never throws for one record's content.
    /// </summary>
    public static OutboundRecord<TAck> ToOutbound<TAck>(ScoredRecord<TAck> scored, RecordLimits limits)
    {
        if (scored.Outcome == Outcome.DeadLetter)
        {
            return DeadLetter(scored, limits.MaxOutputBytes);
        }

        OutboundRecord<TAck> output;
        try
        {
            var tx = scored.Transaction!;
            output = new OutboundRecord<TAck>(
                scored.Outcome,
                Key(scored.Input.Key, tx.Source),
                WriteScored(scored.Input.Value, scored.Splice, tx, scored.Verdict!),
                scored.Outcome == Outcome.Review ? WithOrigin(scored.Input.Headers, scored.Input.Origin) : scored.Input.Headers,
                scored);
        }
        catch (Exception e)
        {
            return DeadLetter(AsDeadLetter(scored, RejectReasons.InternalError, $"writing the output threw {e.GetType().FullName}: {e.Message}"), limits.MaxOutputBytes);
        }

        var size = SizeOf(output.Key, output.Value, output.Headers);
        return size <= limits.MaxOutputBytes
            ? output
            : DeadLetter(AsDeadLetter(scored, RejectReasons.OutputTooLarge,
                $"the {scored.Outcome.ToString().ToLowerInvariant()} output would have {size} bytes, more than Limits:MaxOutputBytes ({limits.MaxOutputBytes})"), limits.MaxOutputBytes);
    }

    private static List<KeyValuePair<string, byte[]>> WithOrigin(IReadOnlyList<KeyValuePair<string, byte[]>> headers, RecordOrigin origin)
    {
        var with = new List<KeyValuePair<string, byte[]>>(headers.Count + 1);
        with.AddRange(headers);
        with.Add(new(ReviewOriginHeader, Encoding.UTF8.GetBytes(origin.ToString())));
        return with;
    }

    private static ScoredRecord<TAck> AsDeadLetter<TAck>(ScoredRecord<TAck> scored, string reason, string detail) =>
        scored with { Outcome = Outcome.DeadLetter, Transaction = null, Verdict = null, RejectReason = reason, RejectDetail = detail };

    /// <summary>
    /// The input's key, value and headers as they came, plus the reason, the detail and the origin; cut when the whole
    /// would not fit in <paramref name="maxBytes"/>: the value first, then the key, then the input's headers, each cut
    /// said in headers with the original value's length and hash (the original stays in the input topic, at the origin).
    /// </summary>
    private static OutboundRecord<TAck> DeadLetter<TAck>(ScoredRecord<TAck> scored, int maxBytes)
    {
        var input = scored.Input;
        var ours = new List<KeyValuePair<string, byte[]>>(6)
        {
            new(ReasonHeader, Encoding.UTF8.GetBytes(scored.RejectReason ?? "unknown")),
            new(DetailHeader, Bounded(scored.RejectDetail ?? "", MaxDetailBytes)),
            new(OriginHeader, Encoding.UTF8.GetBytes(input.Origin.ToString())),
        };
        byte[]? key = input.Key;
        var value = input.Value;
        IReadOnlyList<KeyValuePair<string, byte[]>> kept = input.Headers;
        if (SizeOf(key, value, kept) + HeadersSize(ours) > maxBytes)
        {
            var cut = new List<string>(3);
            var original = value ?? [];
            ours.Add(new(OriginalBytesHeader, Encoding.ASCII.GetBytes(original.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            ours.Add(new(OriginalSha256Header, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original)))));
            ours.Add(new(TruncatedHeader, Encoding.ASCII.GetBytes("value,key,headers"))); // its final text is no longer than this
            var room = maxBytes - SizeOf(key, null, kept) - HeadersSize(ours);
            if (value is not null && room < value.Length)
            {
                value = value[..(int)Math.Max(0, room)];
                cut.Add("value");
            }

            if (SizeOf(key, value, kept) + HeadersSize(ours) > maxBytes && key is not null)
            {
                key = key[..Math.Min(key.Length, maxBytes / 4)];
                cut.Add("key");
            }

            if (SizeOf(key, value, kept) + HeadersSize(ours) > maxBytes)
            {
                kept = [];
                cut.Add("headers");
            }

            ours[^1] = new(TruncatedHeader, Encoding.ASCII.GetBytes(string.Join(',', cut)));
        }

        var headers = new List<KeyValuePair<string, byte[]>>(kept.Count + ours.Count);
        headers.AddRange(kept);
        headers.AddRange(ours);
        return new OutboundRecord<TAck>(Outcome.DeadLetter, key, value, headers, scored);
    }

    /// <summary>What a record weighs against the broker's limit: its key, value and headers, plus the wire's overhead.</summary>
    internal static long SizeOf(byte[]? key, byte[]? value, IReadOnlyList<KeyValuePair<string, byte[]>> headers) =>
        RecordOverhead + (key?.Length ?? 0) + (value?.Length ?? 0) + HeadersSize(headers);

    private static long HeadersSize(IReadOnlyList<KeyValuePair<string, byte[]>> headers)
    {
        long size = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            size += Encoding.UTF8.GetByteCount(headers[i].Key) + (headers[i].Value?.Length ?? 0) + 10;
        }

        return size;
    }

    /// <summary><paramref name="text"/> as UTF-8, cut at a character's end to at most <paramref name="maxBytes"/>.</summary>
    private static byte[] Bounded(string text, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes)
        {
            return bytes;
        }

        var end = maxBytes;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80)
        {
            end--; // not inside a character
        }

        return bytes[..end];
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
    private static readonly JsonEncodedText ActionName = JsonEncodedText.Encode("action");
    private static readonly JsonEncodedText[] ActionTexts = [.. Enum.GetValues<VerdictAction>().Select(a => JsonEncodedText.Encode(a.ToString().ToLowerInvariant()))];
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText ObservedName = JsonEncodedText.Encode("observed");
    private static readonly JsonEncodedText LimitName = JsonEncodedText.Encode("limit");
    private static readonly JsonEncodedText WindowName = JsonEncodedText.Encode("window");
    private static readonly JsonEncodedText VersionName = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText PartialUntilName = JsonEncodedText.Encode("historyPartialUntil");
    private static readonly JsonEncodedText ValuesName = JsonEncodedText.Encode("values");
    private static readonly JsonEncodedText DetectedAtName = JsonEncodedText.Encode("detectedAt");
    private static readonly JsonEncodedText DetectorNodeName = JsonEncodedText.Encode("detectorNode");
    private static readonly JsonEncodedText ShadowName = JsonEncodedText.Encode("shadow");
    private static readonly JsonEncodedText RuleSetName = JsonEncodedText.Encode("ruleSet");
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

    [ThreadStatic]
    private static (RuleSetVersion Version, JsonEncodedText Text)? _ruleSetText;

    private static void WriteVerdict(Utf8JsonWriter json, Verdict v)
    {
        json.WriteStartObject(VerdictName);
        json.WriteNumber(ScoreName, v.Score);
        json.WriteString(ActionName, ActionTexts[(int)v.Action]);
        WriteHits(json, RulesName, v.Rules);
        if (v.Shadow.Count > 0)
        {
            WriteHits(json, ShadowName, v.Shadow);
        }

        if (v.RuleSet is { } ruleSet)
        {
            // Every verdict of a group has the same version: its text is made once per thread and version, not per record.
            if (_ruleSetText is not { } cached || cached.Version != ruleSet)
            {
                _ruleSetText = cached = (ruleSet, JsonEncodedText.Encode(ruleSet.ToString()));
            }

            json.WriteString(RuleSetName, cached.Text);
        }

        json.WriteString(DetectedAtName, v.DetectedAt.UtcDateTime);
        json.WriteString(DetectorNodeName, v.DetectorNode);
        if (v.Late)
        {
            json.WriteBoolean(LateName, true);
        }

        json.WriteEndObject();
    }

    private static void WriteHits(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<RuleHit> hits)
    {
        json.WriteStartArray(name);
        for (var i = 0; i < hits.Count; i++) // an index: foreach over the interface would allocate its enumerator
        {
            var hit = hits[i];
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

            json.WriteNumber(VersionName, hit.Version);
            json.WriteStartObject(ValuesName);
            for (var k = 0; k < hit.Values.Count; k++)
            {
                var seen = hit.Values[k];
                if (seen.Number is { } number)
                {
                    json.WriteNumber(seen.Expression, number);
                }
                else if (seen.Text is { } text)
                {
                    json.WriteString(seen.Expression, text);
                }
                else
                {
                    json.WriteNull(seen.Expression);
                }
            }

            json.WriteEndObject();
            if (hit.PartialUntil is { } until)
            {
                // The rule read a field the history began to keep after a rule change: earlier ones are missing till then.
                json.WriteString(PartialUntilName, until.UtcDateTime);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

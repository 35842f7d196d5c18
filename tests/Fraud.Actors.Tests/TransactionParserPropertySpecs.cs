using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CsCheck;
using Fraud.Actors.Detection;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Actors.Tests;

/// <summary>
/// The parser is an input boundary: over random bytes, random JSON and mutated valid records it returns a transaction or
/// a known reason, never throws, never calls its own failure an internal error, and what it accepts makes an output
/// that is valid UTF-8 JSON a strict reader decodes whole.
/// </summary>
public sealed class TransactionParserPropertySpecs
{
    private const long Cases = 100_000;
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private static readonly RecordOrigin Origin = new("queueing.transactions", 1, 7, Now);

    private static readonly HashSet<string> Reasons = typeof(RejectReasons)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (string)f.GetValue(null)!)
        .Where(r => r != RejectReasons.InternalError && r != RejectReasons.OutputTooLarge)
        .ToHashSet();

    private static readonly Verdict Flagged = new(0.9, [new RuleHit(LargeAmountRule.Id, 950m, 900m, null)], Now, "node");

    [Fact]
    public void Should_answer_random_bytes_with_a_result_or_a_reason()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => { Check(bytes); }, iter: Cases);
    }

    [Fact]
    public void Should_answer_random_and_mutated_json_with_a_result_or_a_reason()
    {
        var accepted = 0L;
        Gen.Frequency((2, JsonRecord), (3, Mutated)).Sample(bytes =>
        {
            if (Check(bytes))
            {
                Interlocked.Increment(ref accepted);
            }
        }, iter: Cases);

        // The generators reach both sides of the boundary, so neither side is checked in vain.
        Assert.InRange(accepted, Cases / 20, Cases - Cases / 20);
    }

    /// <summary>The property; true when the record was accepted.</summary>
    private static bool Check(byte[] bytes)
    {
        var parsed = TransactionParser.Parse(bytes, Origin, RecordLimits.Default, Now);
        if (!parsed.IsValid)
        {
            Assert.True(parsed.Reason is not null && Reasons.Contains(parsed.Reason), $"unknown reason {parsed.Reason} for {Show(bytes)}");
            Assert.False(string.IsNullOrEmpty(parsed.Detail));
            return false;
        }

        var input = new InboundRecord<int>(null, bytes, [], Origin, 0);
        var output = OutputRecords.ToOutbound(new ScoredRecord<int>(input, Outcome.Fraud, parsed.Transaction, Flagged, Splice: parsed.Splice));
        Assert.Equal(Outcome.Fraud, output.Outcome);
        Assert.True(System.Text.Unicode.Utf8.IsValid(output.Value), $"output not UTF-8 for {Show(bytes)}");
        using var json = JsonDocument.Parse(output.Value);
        DecodeAll(json.RootElement);
        Assert.Equal(JsonValueKind.Object, json.RootElement.GetProperty("verdict").ValueKind);
        return true;
    }

    // A strict reader: every name and every string decoded, which throws on a lone surrogate.
    private static void DecodeAll(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeAll(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    DecodeAll(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }

    private static string Show(byte[] bytes) => Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 200)));

    // Field names: the known ones most of the time, so records get past the first checks.
    private static readonly Gen<string> Name = Gen.Frequency(
        (8, Gen.OneOf("source", "amount", "target", "currency", "transactionId", "timestamp", "merchantCategory", "country", "deviceId")),
        (2, Gen.OneOf("verdict", "note", "x", "\\u0073ource", "amo\\u0075nt", "\\ud800", "\\ud83d\\ude00", "")),
        (1, Gen.String[Gen.Char['a', 'z'], 1, 8]));

    private static readonly Gen<string> Escape = Gen.Frequency(
        (3, Gen.OneOf("\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\u0000")),
        (2, Gen.Int[0xD700, 0xE000].Select(u => "\\u" + u.ToString("x4", CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("\\ud83d\\ude00", "\\ud83d", "\\ude00\\ud83d", "\\uzzzz", "\\")));

    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.String[Gen.Char['!', '~'].Where(c => c != '"' && c != '\\'), 0, 12]),
        (2, Gen.OneOf("DE", "FR", "US", "EUR", "USD", "groceries", "ACC-1", "é", "日本", "\U0001F600")),
        (2, Escape.Array[1, 4].Select(parts => string.Concat(parts))),
        (1, Gen.Int[250, 300].Select(n => new string('x', n))));

    private static readonly Gen<string> Number = Gen.Frequency(
        (5, Gen.Decimal[0m, 5000m].Select(d => Math.Round(d, 2).ToString(CultureInfo.InvariantCulture))),
        (2, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.OneOf("-1", "0", "-0", "1e400", "1E28", "79228162514264337593543950336", "0.0000000000000000000000000001", "1.5e12", "00", "1.", "-", "+1")),
        (1, Gen.Long[1_700_000_000_000, 1_900_000_000_000].Select(ms => ms.ToString(CultureInfo.InvariantCulture))));

    private static readonly Gen<string> Time = Gen.Frequency(
        (4, Gen.Long[-86_400 * 10, 86_400 * 10].Select(s => "\"" + Now.AddSeconds(s).ToString("O", CultureInfo.InvariantCulture) + "\"")),
        (2, Gen.OneOf("\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00+01:00\"", "\"yesterday\"", "\"2026-02-30T00:00:00Z\"", "99999999999999999")),
        (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))));

    private static Gen<string> Value(int depth) => depth > 40
        ? Gen.Const("null")
        : Gen.Frequency(
            (5, Text.Select(t => "\"" + t + "\"")),
            (3, Number),
            (1, Time),
            (1, Gen.OneOf("true", "false", "null")),
            (1, Gen.Int[0, 3].SelectMany(n => Value(depth + 1).Array[n].Select(items => "[" + string.Join(",", items) + "]"))),
            (1, Gen.Int[0, 2].SelectMany(n => Gen.Select(Name, Value(depth + 1)).Array[n]
                .Select(fields => "{" + string.Join(",", fields.Select(f => "\"" + f.Item1 + "\":" + f.Item2)) + "}"))));

    private static readonly Gen<(string Name, string Value)> Field =
        Name.SelectMany(name => (name switch
        {
            "amount" => Gen.Frequency((6, Number), (1, Value(0))),
            "timestamp" => Gen.Frequency((6, Time), (1, Value(0))),
            _ => Value(0),
        }).Select(value => (name, value)));

    private static readonly Gen<byte[]> JsonRecord =
        Gen.Select(Gen.Decimal[0m, 2000m], Text, Field.Array[0, 8])
            .Select((amount, source, rest) =>
            {
                var fields = new List<string> { $"\"source\":\"{source}\"", $"\"amount\":{Math.Round(amount, 2).ToString(CultureInfo.InvariantCulture)}" };
                fields.AddRange(rest.Select(f => $"\"{f.Name}\":{f.Value}"));
                return Encoding.UTF8.GetBytes("{" + string.Join(",", fields) + "}");
            });

    // A valid record with a few bytes flipped, inserted, deleted or cut off.
    private static readonly Gen<byte[]> Mutated =
        Gen.Select(JsonRecord, Gen.Select(Gen.Int[0, 3], Gen.Int, Gen.Byte).Array[1, 4])
            .Select((bytes, edits) =>
            {
                var list = bytes.ToList();
                foreach (var (kind, where, value) in edits)
                {
                    if (list.Count == 0)
                    {
                        break;
                    }

                    var at = (int)((uint)where % (uint)list.Count);
                    switch (kind)
                    {
                        case 0: list[at] = value; break;
                        case 1: list.Insert(at, value); break;
                        case 2: list.RemoveAt(at); break;
                        default: list.RemoveRange(at, list.Count - at); break;
                    }
                }

                return list.ToArray();
            });
}

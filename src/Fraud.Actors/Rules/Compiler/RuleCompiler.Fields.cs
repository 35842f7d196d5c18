using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>
/// <c>field("name")</c>: any input field beyond the known ones, read by the parser only when a rule names it. Its type
/// follows its use (a number where compared with a number or computed with, else a text); in the account's history it
/// is kept as a hash, for at most <see cref="MaxFieldsInHistory"/> fields.
/// </summary>
internal sealed partial class RuleCompiler
{
    /// <summary>How many input fields the history can keep: two hashes fit in the padding an event already has.</summary>
    public const int MaxFieldsInHistory = 2;

    /// <summary>The input's own names for what rules read as attributes: <c>field("amount")</c> is just <c>amount</c>.</summary>
    private static readonly IReadOnlyDictionary<string, string> KnownInputNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["transactionId"] = "the transaction's id (not readable by rules)",
        ["source"] = "source",
        ["target"] = "target",
        ["amount"] = "amount",
        ["currency"] = "currency",
        ["timestamp"] = "hour and weekday",
        ["merchantCategory"] = "category",
        ["country"] = "country",
        ["deviceId"] = "device",
    };

    private readonly List<string> _fields = new();
    private int _fieldsInHistory;
    private FieldHistory _fieldHistory = FieldHistory.None;

    /// <summary>
    /// Names every input field the rules read before anything is compiled, those read of earlier transactions first:
    /// their position is the history slot they are kept in.
    /// </summary>
    private void PlanFields(RuleFile file)
    {
        var earlier = new List<Attribute>();
        var current = new List<Attribute>();
        foreach (var rule in file.Rules)
        {
            CollectFields(rule.Condition, inHistory: false, earlier, current);
        }

        foreach (var a in earlier.Concat(current))
        {
            if (KnownInputNames.TryGetValue(a.Name, out var attribute))
            {
                throw Error(a, $"field(\"{a.Name}\") is a field rules know: read it as {attribute}");
            }
        }

        foreach (var name in earlier.Select(a => a.Name).Distinct(StringComparer.Ordinal))
        {
            if (_fields.Count == MaxFieldsInHistory)
            {
                var at = earlier.First(a => a.Name == name);
                throw Error(at, $"the account's history keeps at most {MaxFieldsInHistory} input fields of earlier transactions ({string.Join(", ", _fields.Select(f => $"field(\"{f}\")"))}), and field(\"{name}\") would be one more");
            }

            _fields.Add(name);
        }

        _fieldsInHistory = _fields.Count;
        _fieldHistory = FieldHistory.After(_environment.PreviousFields, _fields, _environment.FieldsKeptFrom);
        foreach (var name in current.Select(a => a.Name).Distinct(StringComparer.Ordinal))
        {
            if (!_fields.Contains(name)) _fields.Add(name);
        }
    }

    private static void CollectFields(Expr expr, bool inHistory, List<Attribute> earlier, List<Attribute> current)
    {
        switch (expr)
        {
            case Attribute { InputField: true } a:
                (inHistory ? earlier : current).Add(a);
                break;
            case Unary u:
                CollectFields(u.Operand, inHistory, earlier, current);
                break;
            case Binary b:
                CollectFields(b.Left, inHistory, earlier, current);
                CollectFields(b.Right, inHistory, earlier, current);
                break;
            case InSet s:
                CollectFields(s.Value, inHistory, earlier, current);
                foreach (var item in s.Items) CollectFields(item, inHistory, earlier, current);
                break;
            case InRange r:
                CollectFields(r.Value, inHistory, earlier, current);
                CollectFields(r.Low, inHistory, earlier, current);
                CollectFields(r.High, inHistory, earlier, current);
                break;
            case InList l:
                CollectFields(l.Value, inHistory, earlier, current);
                break;
            case Call c:
                // An aggregate's argument and filter are about earlier transactions; distinct and seen also read this one's.
                var aboutEarlier = c.Window is not null;
                foreach (var argument in c.Arguments)
                {
                    CollectFields(argument, inHistory || aboutEarlier, earlier, current);
                    if (c.Function is "seen") CollectFields(argument, inHistory, earlier, current);
                }

                if (c.Filter is not null) CollectFields(c.Filter, true, earlier, current);
                break;
        }
    }

    /// <summary>The named field of this transaction: text and number both, the one its use asks for is taken.</summary>
    private Node CurrentField(Attribute a)
    {
        var k = _fields.IndexOf(a.Name);
        return new Node(Kind.Text,
            Num: (ref RuleInput i) => i.Tx.Fields is { } f ? f[k].Number : null,
            Txt: (ref RuleInput i) => i.Tx.Fields is { } f ? f[k].Text : null)
        { Dual = true };
    }

    /// <summary>The named field of the earlier transaction in focus: the hash its history slot keeps.</summary>
    private Node EarlierField(Attribute a)
    {
        var slot = _fields.IndexOf(a.Name);
        if (slot < 0 || slot >= _fieldsInHistory)
        {
            throw Error(a, $"field(\"{a.Name}\") is read of earlier transactions where the history does not keep it (a bug of the rule compiler)");
        }

        // A slot that began to hold this field lately: what it held before is not this field's, so it reads as missing.
        var since = FieldSince(slot);
        if (slot == 0)
        {
            _kept |= HistoryFields.Field1;
            return new Node(Kind.Text, Key: since == 0 ? static (ref RuleInput i) => i.History[i.Focus].Field1
                : (ref RuleInput i) => i.History[i.Focus].Ticks >= since ? i.History[i.Focus].Field1 : 0);
        }

        _kept |= HistoryFields.Field2;
        return new Node(Kind.Text, Key: since == 0 ? static (ref RuleInput i) => i.History[i.Focus].Field2
            : (ref RuleInput i) => i.History[i.Focus].Ticks >= since ? i.History[i.Focus].Field2 : 0);
    }

    /// <summary>From when history slot <paramref name="slot"/> holds its field (0: always); noted for the rule being compiled.</summary>
    private long FieldSince(int slot)
    {
        var since = _fieldHistory.SinceOf(slot);
        _ruleFieldsSince = Math.Max(_ruleFieldsSince, since);
        return since;
    }

    /// <summary>The key distinct and seen compare for a named field: this transaction's text hashed, or the kept hash.</summary>
    private Number FieldKey(Attribute a)
    {
        var earlier = EarlierField(a).Key!;
        var k = _fields.IndexOf(a.Name);
        return (ref RuleInput i) => Present(i.Focus < 0 ? TextHash.Of(i.Tx.Fields is { } f ? f[k].Text : null) : earlier(ref i));
    }
}

using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>Attributes: of this transaction, of the earlier one in focus, and the keys distinct and seen compare.</summary>
internal sealed partial class RuleCompiler
{
    private Node AttributeOf(Attribute a, Scope scope)
    {
        if (a.InputField)
        {
            return scope == Scope.Earlier ? EarlierField(a) : CurrentField(a);
        }

        if (scope == Scope.Earlier && !KeptInHistory.Contains(a.Name))
        {
            throw Error(a, $"the account's history keeps {string.Join(", ", KeptInHistory)} of earlier transactions, not '{a.Name}'");
        }

        if (scope == Scope.Earlier)
        {
            return a.Name switch
            {
                "amount" => new Node(Kind.Number, Num: static (ref RuleInput i) => i.History[i.Focus].Amount),
                "amount_ref" => EarlierAmountInReference(a),
                "hour" => new Node(Kind.Number, Num: static (ref RuleInput i) => HourOf(i.History[i.Focus].Ticks)),
                "weekday" => new Node(Kind.Number, Num: static (ref RuleInput i) => WeekdayOf(i.History[i.Focus].Ticks)),
                "currency" => new Node(Kind.Text, Txt: static (ref RuleInput i) => CurrencyCodes.Unpack(i.History[i.Focus].CurrencyCode)),
                "category" => Kept(HistoryFields.Category, static (ref RuleInput i) => i.History[i.Focus].Category),
                "target" => Kept(HistoryFields.Target, static (ref RuleInput i) => i.History[i.Focus].Target),
                "device" => Kept(HistoryFields.Device, static (ref RuleInput i) => i.History[i.Focus].Device),
                _ => new Node(Kind.Text, Txt: static (ref RuleInput i) => Countries.CodeOf(i.History[i.Focus].CountryNumber)),
            };
        }

        return a.Name switch
        {
            "amount" => new Node(Kind.Number, Num: static (ref RuleInput i) => i.Tx.Amount),
            "amount_ref" => AmountInReference(a),
            "hour" => new Node(Kind.Number, Num: static (ref RuleInput i) => HourOf(i.Ticks)),
            "weekday" => new Node(Kind.Number, Num: static (ref RuleInput i) => WeekdayOf(i.Ticks)),
            "currency" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Currency)),
            "source" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Source)),
            "target" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Target)),
            "category" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.MerchantCategory)),
            "country" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.Country)),
            "device" => new Node(Kind.Text, Txt: static (ref RuleInput i) => Present(i.Tx.DeviceId)),
            _ => throw Error(a, $"unknown attribute '{a.Name}'"),
        };
    }

    private Node AmountInReference(Attribute a)
    {
        if (_environment.Rates is not { } rates)
        {
            throw Error(a, $"amount_ref needs the rates file ({RuleEnvironment.RatesFileName} next to the rules), which was not found");
        }

        return new Node(Kind.Number, Num: (ref RuleInput i) => rates.ToReference(i.Tx.Amount, i.Tx.Currency));
    }

    private Node EarlierAmountInReference(Attribute a)
    {
        if (_environment.Rates is not { } rates)
        {
            throw Error(a, $"amount_ref needs the rates file ({RuleEnvironment.RatesFileName} next to the rules), which was not found");
        }

        return new Node(Kind.Number, Num: (ref RuleInput i) => rates.ToReference(i.History[i.Focus].Amount, i.History[i.Focus].CurrencyCode));
    }

    /// <summary>An earlier transaction's text kept as a hash; naming it makes the history keep it.</summary>
    private Node Kept(HistoryFields field, TextKey key)
    {
        _kept |= field;
        return new Node(Kind.Text, Key: key);
    }

    /// <summary>The key <c>distinct</c> and <c>seen</c> compare: read from the event in focus, or from this transaction when none is.</summary>
    private Number KeyOf(Attribute a)
    {
        if (a.InputField)
        {
            return FieldKey(a);
        }

        if (!KeptInHistory.Contains(a.Name))
        {
            throw Error(a, $"the account's history keeps {string.Join(", ", KeptInHistory)} of earlier transactions, not '{a.Name}'");
        }

        switch (a.Name)
        {
            case "category":
                _kept |= HistoryFields.Category;
                return static (ref RuleInput i) => Present(i.Focus < 0 ? TextHash.Of(i.Tx.MerchantCategory) : i.History[i.Focus].Category);
            case "target":
                _kept |= HistoryFields.Target;
                return static (ref RuleInput i) => Present(i.Focus < 0 ? TextHash.Of(i.Tx.Target) : i.History[i.Focus].Target);
            case "device":
                _kept |= HistoryFields.Device;
                return static (ref RuleInput i) => Present(i.Focus < 0 ? TextHash.Of(i.Tx.DeviceId) : i.History[i.Focus].Device);
        }

        if (a.Name == "amount_ref")
        {
            var reference = AmountInReference(a).Num!;
            var earlier = EarlierAmountInReference(a).Num!;
            return (ref RuleInput i) => i.Focus < 0 ? reference(ref i) : earlier(ref i);
        }

        return a.Name switch
        {
            "amount" => static (ref RuleInput i) => i.Focus < 0 ? i.Tx.Amount : i.History[i.Focus].Amount,
            "hour" => static (ref RuleInput i) => HourOf(i.Focus < 0 ? i.Ticks : i.History[i.Focus].Ticks),
            "weekday" => static (ref RuleInput i) => WeekdayOf(i.Focus < 0 ? i.Ticks : i.History[i.Focus].Ticks),
            "currency" => static (ref RuleInput i) => Present(i.Focus < 0 ? CurrencyCodes.Pack(i.Tx.Currency) : i.History[i.Focus].CurrencyCode),
            _ => static (ref RuleInput i) => Present(i.Focus < 0 ? i.Country : i.History[i.Focus].CountryNumber),
        };
    }

    private static decimal? Present(uint key) => key == 0 ? null : key;

    /// <summary>A text node's hash: its own when it is kept as one, else its text's, hashed when read (a constant's once).</summary>
    private static TextKey KeyFn(Node node)
    {
        if (node.Key is { } key)
        {
            return key;
        }

        if (node.IsConstant)
        {
            var hash = TextHash.Of((string)node.Constant!);
            return (ref RuleInput _) => hash;
        }

        var text = node.Txt!;
        return (ref RuleInput i) => TextHash.Of(text(ref i));
    }
}

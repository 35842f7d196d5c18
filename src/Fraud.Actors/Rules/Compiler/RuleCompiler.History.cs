using Fraud.Actors.Rules.Language;
using Fraud.Actors.State;
using Fraud.Actors.Transactions;
using Attribute = Fraud.Actors.Rules.Language.Attribute;

namespace Fraud.Actors.Rules.Compiler;

/// <summary>The account's history: aggregates over a window, each in one slot shared by every rule that names it.</summary>
internal sealed partial class RuleCompiler
{
    private Node CallOf(Call call, Scope scope)
    {
        if (scope == Scope.Earlier && call.Function != "is_missing")
        {
            throw Error(call, $"{call.Function}(...) reads the account's history, which a 'where' condition (about one earlier transaction) cannot");
        }

        if (call.Function == "is_missing")
        {
            var attribute = (Attribute)call.Arguments[0];
            var node = AttributeOf(attribute, scope);
            var (num, txt, key) = (node.Dual ? null : node.Num, node.Txt, node.Key);
            Condition missing = num is not null ? (ref RuleInput i) => num(ref i) is null
                : key is not null ? (ref RuleInput i) => key(ref i) == 0
                : (ref RuleInput i) => txt!(ref i) is null;
            return new Node(Kind.Condition, Cond: missing);
        }

        if (call.Function == "since_last")
        {
            return new Node(Kind.Number, Num: static (ref RuleInput i) => Aggregates.SinceLast(ref i), ReadsHistory: true);
        }

        var window = call.Window!.Value;
        if (window > _environment.MaxWindow)
        {
            throw Error(call, $"{call.Function}(...) reads {RuleText.Window(window)} of history, more than Fraud:Rules:MaxWindow ({RuleText.Window(_environment.MaxWindow)})");
        }

        if (window > _longestWindow) _longestWindow = window;
        if (window > _ruleWindow) _ruleWindow = window;
        var ticks = window.Ticks;
        var filter = call.Filter is null ? null : Expect(call.Filter, Scope.Earlier, Kind.Condition, "a 'where' filter").Cond;
        var slot = SlotOf(call);
        switch (call.Function)
        {
            case "count":
                return Shared(slot, (ref RuleInput i) => Aggregates.Count(ref i, ticks, filter));
            case "travel_speed":
                return Shared(slot, (ref RuleInput i) => Aggregates.TravelSpeed(ref i, ticks, filter));
            case "distinct":
            {
                var attribute = (Attribute)call.Arguments[0];
                var key = KeyOf(attribute);
                return HashedDistinct(attribute, slot, ticks, filter)
                    ?? Shared(slot, (ref RuleInput i) => Aggregates.Distinct(ref i, key, ticks, filter));
            }

            case "seen":
            {
                var attribute = (Attribute)call.Arguments[0];
                var key = KeyOf(attribute);
                var seen = HashedSeen(attribute, key, slot, ticks, filter)
                    ?? Shared(slot, (ref RuleInput i) => Aggregates.Seen(ref i, key, ticks, filter) ? 1 : 0).Num!;
                return new Node(Kind.Condition, Cond: (ref RuleInput i) => seen(ref i) == 1, ReadsHistory: true);
            }

            case "sum" when filter is null && call.Arguments[0] is Attribute { Name: "amount", InputField: false }:
                return Shared(slot, (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks));
            case "sum" or "avg" or "min" or "max" when call.Arguments[0] is Attribute { Name: "amount_ref", InputField: false } a:
            {
                // The reference amounts of the window, converted in the walk (once a transaction): no closure per event.
                _ = EarlierAmountInReference(a);
                _readsEarlierReference = true;
                var (rates, function) = (_environment.Rates!, call.Function);
                return Shared(slot, (ref RuleInput i) => Aggregates.FoldReference(ref i, function, rates, ticks, filter));
            }

            default:
            {
                var value = Expect(call.Arguments[0], Scope.Earlier, Kind.Number, $"what {call.Function} adds up").Num!;
                var function = call.Function;
                return Shared(slot, (ref RuleInput i) => Aggregates.Fold(ref i, function, value, ticks, filter));
            }
        }
    }

    /// <summary>distinct over a key the history keeps as a code or hash, walked without a closure per event; null for the rest.</summary>
    private Node? HashedDistinct(Attribute a, int slot, long ticks, Condition? filter)
    {
        Node Of<TKey>(long since = 0) where TKey : struct, IEventKey => Shared(slot, (ref RuleInput i) => Aggregates.DistinctOf<TKey>(ref i, ticks, filter, since));
        return HashedKind(a) switch
        {
            HistoryFields.Category => Of<CategoryKey>(),
            HistoryFields.Target => Of<TargetKey>(),
            HistoryFields.Device => Of<DeviceKey>(),
            HistoryFields.Field1 => Of<Field1Key>(FieldSince(0)),
            HistoryFields.Field2 => Of<Field2Key>(FieldSince(1)),
            _ => a.Name switch
            {
                "country" when !a.InputField => Of<CountryKey>(),
                "currency" when !a.InputField => Of<CurrencyKey>(),
                _ => null,
            },
        };
    }

    /// <summary>seen over such a key: this transaction's key (read through <paramref name="key"/>, once) against each event's.</summary>
    private Number? HashedSeen(Attribute a, Number key, int slot, long ticks, Condition? filter)
    {
        Number Of<TKey>(long since = 0) where TKey : struct, IEventKey => Shared(slot, (ref RuleInput i) =>
            Aggregates.SeenOf<TKey>(ref i, key(ref i) is { } current ? (uint)current : 0, ticks, filter, since) ? 1 : 0).Num!;
        return HashedKind(a) switch
        {
            HistoryFields.Category => Of<CategoryKey>(),
            HistoryFields.Target => Of<TargetKey>(),
            HistoryFields.Device => Of<DeviceKey>(),
            HistoryFields.Field1 => Of<Field1Key>(FieldSince(0)),
            HistoryFields.Field2 => Of<Field2Key>(FieldSince(1)),
            _ => a.Name switch
            {
                "country" when !a.InputField => Of<CountryKey>(),
                "currency" when !a.InputField => Of<CurrencyKey>(),
                _ => null,
            },
        };
    }

    private HistoryFields HashedKind(Attribute a) => a switch
    {
        { InputField: true } => _fields.IndexOf(a.Name) == 0 ? HistoryFields.Field1 : HistoryFields.Field2,
        { Name: "category" } => HistoryFields.Category,
        { Name: "target" } => HistoryFields.Target,
        { Name: "device" } => HistoryFields.Device,
        _ => HistoryFields.None,
    };

    /// <summary>
    /// The aggregate's slot, one per text however many rules name it: a rule that fires explains itself from the values
    /// its condition computed, without walking the history again (a fused comparison keeps none, see Fused).
    /// </summary>
    private int SlotOf(Call call)
    {
        var key = RuleText.Of(call);
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = _slots.Count;
            _slots[key] = slot;
        }

        return slot;
    }

    /// <summary>An aggregate computed at most once per transaction, however many rules name it.</summary>
    private static Node Shared(int slot, Number compute) =>
        new(Kind.Number, Num: (ref RuleInput i) =>
        {
            if (!i.Done[slot])
            {
                i.Slots[slot] = compute(ref i);
                i.Done[slot] = true;
            }

            return i.Slots[slot];
        }, ReadsHistory: true);
}

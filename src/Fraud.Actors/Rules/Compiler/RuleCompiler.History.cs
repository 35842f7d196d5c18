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
                var key = KeyOf((Attribute)call.Arguments[0]);
                return Shared(slot, (ref RuleInput i) => Aggregates.Distinct(ref i, key, ticks, filter));
            }

            case "seen":
            {
                var key = KeyOf((Attribute)call.Arguments[0]);
                var seen = Shared(slot, (ref RuleInput i) => Aggregates.Seen(ref i, key, ticks, filter) ? 1 : 0).Num!;
                return new Node(Kind.Condition, Cond: (ref RuleInput i) => seen(ref i) == 1, ReadsHistory: true);
            }

            case "sum" when filter is null && call.Arguments[0] is Attribute { Name: "amount", InputField: false }:
                return Shared(slot, (ref RuleInput i) => Aggregates.SumOfAmounts(ref i, ticks));
            default:
            {
                var value = Expect(call.Arguments[0], Scope.Earlier, Kind.Number, $"what {call.Function} adds up").Num!;
                var function = call.Function;
                return Shared(slot, (ref RuleInput i) => Aggregates.Fold(ref i, function, value, ticks, filter));
            }
        }
    }

    /// <summary>The aggregate's shared slot, or -1 when the file names it once (it is then computed where it is read).</summary>
    private int SlotOf(Call call)
    {
        if (!IsShared(call))
        {
            return -1;
        }

        var key = RuleText.Of(call);
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = _slots.Count;
            _slots[key] = slot;
        }

        return slot;
    }

    /// <summary>An aggregate computed at most once per transaction, however many rules name it.</summary>
    private static Node Shared(int slot, Number compute) => slot < 0
        ? new(Kind.Number, Num: compute, ReadsHistory: true)
        : new(Kind.Number, Num: (ref RuleInput i) =>
        {
            if (!i.Done[slot])
            {
                i.Slots[slot] = compute(ref i);
                i.Done[slot] = true;
            }

            return i.Slots[slot];
        }, ReadsHistory: true);
}

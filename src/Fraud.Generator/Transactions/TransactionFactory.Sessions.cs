using Fraud.Actors.Transactions;
using Fraud.Generator.Scenarios;

namespace Fraud.Generator.Transactions;

/// <summary>
/// The sessions woven into ordinary traffic: fraud scenarios, and in realistic traffic the legit patterns that look
/// like fraud. A session's later steps wait in <c>_pending</c> (a number of messages later: within seconds at any demo
/// rate) or in <c>_later</c> (an event time later: minutes for slow fraud, hours for a flight).
/// </summary>
public sealed partial class TransactionFactory
{
    private static readonly string[] CleanScenarios = [.. FraudScenario.All];
    private static readonly string[] RealisticScenarios = [.. FraudScenario.Realistic];

    // The mean number of messages a realistic scenario makes (see ScenarioSteps and SlipSteps), for its start rate.
    private const double MeanRealisticSteps = (1 + 8 + 4 + 2 + 2 + 5 + 3.5) / 7.0;
    private const double MeanTapBurst = 7;

    /// <param name="AfterSeconds">0: a few dozen messages after the step before; else this many seconds after it.</param>
    private readonly record struct Step(decimal Amount, string? Country, string? Label, int AfterSeconds = 0);

    private GeneratedTransaction? TryStartScenario(long now)
    {
        var account = QuietAccount(now);
        if (account < 0)
        {
            return null;
        }

        var scenario = _random.ArrayElement(CleanScenarios);
        return Plan(account, ScenarioSteps(scenario, account, wholeSession: false), scenario, null, null, now, 5 * Minute);
    }

    private GeneratedTransaction NextRealistic(long now, DateTimeOffset eventTime)
    {
        // One draw picks what this message starts, each at the rate that makes its messages the configured share.
        var draw = _random.Double();
        var started =
            (draw -= _fraudShare / MeanRealisticSteps) < 0 ? TryStartSession(now)
            : (draw -= _mix.BigPurchases) < 0 ? Single(now, LegitPattern.BigPurchase, _random.Decimal(600, 3000), newDevice: false)
            : (draw -= _mix.Trips / 2) < 0 ? Trip(now)
            : (draw -= _mix.TapBursts / MeanTapBurst) < 0 ? TryTapBurst(now)
            : (draw -= _mix.DeviceChanges) < 0 ? Single(now, LegitPattern.DeviceChange, NormalAmount(), newDevice: true)
            : null;
        return started is { } first ? Stamped(first, eventTime) : Ordinary(now, eventTime);
    }

    // A compromised card's session: every step labelled; on a device of the fraudster's more often than not.
    private GeneratedTransaction? TryStartSession(long now)
    {
        var account = QuietAccount(now);
        if (account < 0)
        {
            return null;
        }

        var scenario = _random.ArrayElement(RealisticScenarios);
        var steps = scenario is FraudScenario.LowAndSlow or FraudScenario.UnderTheLimit ? SlipSteps(scenario, account) : ScenarioSteps(scenario, account, wholeSession: true);
        var device = _random.Double() < 0.6 ? NewDevice() : null;
        return Plan(account, steps, scenario, null, device, now, 5 * Minute);
    }

    private List<Step> ScenarioSteps(string scenario, int account, bool wholeSession)
    {
        var steps = new List<Step>();
        string? Label(bool completes) => wholeSession || completes ? scenario : null;
        switch (scenario)
        {
            case FraudScenario.LargeAmount:
                steps.Add(new(Local(Money(900, 5000), account), null, scenario));
                break;
            case FraudScenario.VelocityBurst:
                for (var i = 1; i <= 8; i++) steps.Add(new(Local(Money(5, 80), account), null, Label(i > 5)));
                break;
            case FraudScenario.AmountSpree:
                var sum = 0m;
                for (var i = 0; i < 4; i++)
                {
                    var amount = Money(700, 850);
                    sum += amount;
                    steps.Add(new(Local(amount, account), null, Label(sum > 2000m)));
                }

                break;
            case FraudScenario.SmallThenLarge:
                steps.Add(new(Local(Money(0.01m, 0.99m), account), null, Label(false)));
                steps.Add(new(Local(Money(501, 880), account), null, scenario));
                break;
            default:
                var home = _countries[account];
                var far = FarCountry(home);
                steps.Add(new(Local(NormalAmount(), account), home, Label(false)));
                steps.Add(new(Local(NormalAmount(), account), far, scenario));
                _countries[account] = far; // the card is now abroad: later payments come from there
                break;
        }

        return steps;
    }

    // Fraud made to stay under the default rules' thresholds and windows.
    private List<Step> SlipSteps(string scenario, int account)
    {
        var slow = scenario == FraudScenario.LowAndSlow;
        var count = slow ? _random.Int(4, 6) : _random.Int(3, 4);
        var steps = new List<Step>(count);
        for (var i = 0; i < count; i++)
        {
            var amount = slow ? Money(150, 450) : Money(380, 480);
            steps.Add(new(Local(amount, account), null, scenario, i == 0 ? 0 : slow ? _random.Int(120, 360) : _random.Int(8, 15)));
        }

        return steps;
    }

    private GeneratedTransaction? TryTapBurst(long now)
    {
        var account = QuietAccount(now);
        if (account < 0)
        {
            return null;
        }

        var steps = new List<Step>();
        for (var i = _random.Int(6, 8); i > 0; i--)
        {
            steps.Add(new(Local(Money(2, 15), account), null, null, steps.Count == 0 ? 0 : _random.Int(3, 10)));
        }

        return Plan(account, steps, null, LegitPattern.TapBurst, null, now, Minute);
    }

    // One payment of an ordinary account: a big purchase, or the first from the cardholder's new phone.
    private GeneratedTransaction Single(long now, string pattern, decimal usd, bool newDevice)
    {
        var account = PickNormalAccount(now);
        Record(account, now);
        if (newDevice)
        {
            _devices[account] = NewDevice();
        }

        return new GeneratedTransaction(NewTransaction(account, Local(Math.Round(usd, 2), account), default), null, Pattern: pattern, Session: ++_sessions);
    }

    // A payment at home, then, after a flight at 800 km/h plus boarding and the ride from the airport, one abroad.
    private GeneratedTransaction Trip(long now)
    {
        var account = PickNormalAccount(now);
        Record(account, now);
        var home = _countries[account];
        string destination;
        do
        {
            destination = _random.ArrayElement(KnownCountries);
        }
        while (Countries.DistanceKm(home, destination) is not > 500);

        var hours = Countries.DistanceKm(home, destination)!.Value / 800 + 1.5 + 3 * _random.Double();
        var landing = now + (long)(hours * TimeSpan.TicksPerHour);
        var session = ++_sessions;
        var abroad = new GeneratedTransaction(NewTransaction(account, Local(NormalAmount(), account), default, destination), null, Pattern: LegitPattern.Trip, Session: session);
        var departure = new GeneratedTransaction(NewTransaction(account, Local(NormalAmount(), account), default), null, Pattern: LegitPattern.Trip, Session: session);
        _later.Enqueue(abroad, landing);
        _countries[account] = destination;
        _busyUntil[account] = Math.Max(_busyUntil[account], landing); // no payments in flight
        return departure;
    }

    /// <summary>
    /// Queues a session's steps after the first and returns the first; the account sits out ordinary traffic until
    /// <paramref name="rest"/> after its last step, so that its own payments do not mix into the session's windows.
    /// </summary>
    private GeneratedTransaction Plan(int account, List<Step> steps, string? scenario, string? pattern, string? device, long now, long rest)
    {
        var session = ++_sessions;
        GeneratedTransaction Made(Step step) =>
            new(NewTransaction(account, step.Amount, default, step.Country, device), step.Label, InScenario: scenario is not null, pattern, session);

        var due = _sequence;
        var dueTicks = now;
        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i].AfterSeconds > 0)
            {
                dueTicks += steps[i].AfterSeconds * TimeSpan.TicksPerSecond;
                _later.Enqueue(Made(steps[i]), dueTicks);
            }
            else
            {
                // Spread over the next few hundred messages, so other traffic interleaves as in real life.
                due += _random.Int(5, 60);
                _pending.Add((due, Made(steps[i])));
            }
        }

        _busyUntil[account] = Math.Max(_busyUntil[account], dueTicks + rest);
        return Made(steps[0]);
    }

    /// <summary>An account quiet for two minutes and in no session, or -1 when 32 picks found none.</summary>
    private int QuietAccount(long now)
    {
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var candidate = _random.Int(0, _accounts.Length - 1);
            if (_busyUntil[candidate] <= now && LastActivity(candidate) <= now - 2 * Minute)
            {
                return candidate;
            }
        }

        return -1;
    }

    private string NewDevice() => "dev-" + _random.Hash(12);

    /// <summary>A USD worth in the account's currency in realistic traffic; the amount as it is in clean traffic.</summary>
    private decimal Local(decimal usd, int account) => _traffic == Traffic.Realistic ? SampleRates.FromUsd(usd, _currencies[account]) : usd;
}

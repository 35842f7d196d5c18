using Bogus;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Generator.Scenarios;

namespace Fraud.Generator.Transactions;

/// <summary>
/// Makes the stream: normal traffic over a skewed account population, with fraud scenarios woven in. Everything is
/// drawn from one seeded random source and the caller's event times, so a seed and a schedule give the same stream.
/// Normal accounts behave like real cards (at most <see cref="NormalPerMinute"/> payments a minute, amounts
/// 1.00–450, always in their current country), so the ground truth stays clean: only scenarios should be flagged.
/// </summary>
public sealed class TransactionFactory
{
    /// <summary>A normal account pays at most this often per minute (real cards rarely do more).</summary>
    public const int NormalPerMinute = 3;

    private static readonly string[] Categories = ["grocery", "fuel", "restaurant", "online-retail", "travel", "electronics", "pharmacy", "entertainment", "utilities", "apparel"];
    private static readonly (string Country, string Currency, int Weight)[] Homes =
    [
        ("US", "USD", 30), ("GB", "GBP", 10), ("DE", "EUR", 10), ("FR", "EUR", 8), ("ES", "EUR", 5), ("IT", "EUR", 5),
        ("NL", "EUR", 4), ("CA", "CAD", 6), ("BR", "BRL", 5), ("IN", "INR", 6), ("JP", "JPY", 4), ("AU", "AUD", 4),
        ("SG", "SGD", 3),
    ];

    private static readonly long Minute = TimeSpan.TicksPerMinute;
    private readonly Randomizer _random;
    private readonly double _fraudShare;
    private readonly string[] _accounts;
    private readonly string[] _devices;
    private readonly string[] _countries;
    private readonly string[] _currencies;
    private readonly long[] _recent; // NormalPerMinute most recent event times per account (ring)
    private readonly long[] _busyUntil; // scenario accounts sit out normal traffic until then
    private readonly string[] _merchants;
    private readonly List<(long Due, Transaction Tx, string? Label)> _pending = new();
    private long _sequence;

    public TransactionFactory(int seed, int accounts = 10_000, double fraudShare = 0.02)
    {
        if (accounts < 100)
        {
            throw new ArgumentOutOfRangeException(nameof(accounts), "the population needs at least 100 accounts");
        }

        if (fraudShare is < 0 or > 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(fraudShare), "the fraud share must be between 0 and 0.5");
        }

        _random = new Randomizer(seed);
        _fraudShare = fraudShare;
        _accounts = new string[accounts];
        _devices = new string[accounts];
        _countries = new string[accounts];
        _currencies = new string[accounts];
        _recent = new long[accounts * NormalPerMinute];
        Array.Fill(_recent, long.MinValue);
        _busyUntil = new long[accounts];
        var totalWeight = Homes.Sum(h => h.Weight);
        for (var i = 0; i < accounts; i++)
        {
            _accounts[i] = "ACC" + _random.Replace("##########");
            _devices[i] = "dev-" + _random.Hash(12);
            var pick = _random.Int(0, totalWeight - 1);
            foreach (var home in Homes)
            {
                if ((pick -= home.Weight) < 0)
                {
                    _countries[i] = home.Country;
                    _currencies[i] = home.Currency;
                    break;
                }
            }
        }

        _merchants = Enumerable.Range(0, 2000).Select(_ => "MER" + _random.Replace("########")).ToArray();
    }

    /// <summary>How many normal picks found every candidate too busy (the population is too small for the rate).</summary>
    public long PaceViolations { get; private set; }

    /// <summary>The next transaction, stamped with <paramref name="eventTime"/>.</summary>
    public GeneratedTransaction Next(DateTimeOffset eventTime)
    {
        _sequence++;
        var now = eventTime.UtcTicks;
        for (var i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].Due <= _sequence)
            {
                var (_, tx, label) = _pending[i];
                _pending.RemoveAt(i);
                return new GeneratedTransaction(tx with { Timestamp = eventTime }, label, InScenario: true);
            }
        }

        // Scenarios average ~3.4 messages; start them at the rate that makes their messages the configured share.
        if (_fraudShare > 0 && _random.Double() < _fraudShare / 3.4 && TryStartScenario(now) is { } first)
        {
            return first with { Transaction = first.Transaction with { Timestamp = eventTime } };
        }

        var account = PickNormalAccount(now);
        Record(account, now);
        return new GeneratedTransaction(NewTransaction(account, NormalAmount(), eventTime), null);
    }

    private int PickNormalAccount(long now)
    {
        // A power-law skew: the busiest tenth of the accounts makes about half the payments.
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var candidate = (int)(_accounts.Length * Math.Pow(_random.Double(), 3));
            if (IsFree(candidate, now))
            {
                return candidate;
            }
        }

        var start = _random.Int(0, _accounts.Length - 1);
        for (var k = 0; k < _accounts.Length; k++)
        {
            var candidate = (start + k) % _accounts.Length;
            if (IsFree(candidate, now))
            {
                return candidate;
            }
        }

        PaceViolations++;
        return start;
    }

    private bool IsFree(int account, long now) =>
        _busyUntil[account] <= now && _recent[account * NormalPerMinute + OldestSlot(account)] <= now - Minute;

    private int OldestSlot(int account)
    {
        var oldest = 0;
        for (var s = 1; s < NormalPerMinute; s++)
        {
            if (_recent[account * NormalPerMinute + s] < _recent[account * NormalPerMinute + oldest]) oldest = s;
        }

        return oldest;
    }

    private void Record(int account, long now) => _recent[account * NormalPerMinute + OldestSlot(account)] = now;

    private GeneratedTransaction? TryStartScenario(long now)
    {
        // A scenario account must have been quiet for two minutes, so its own normal payments do not mix into the
        // pattern's windows; afterwards it sits out normal traffic for five minutes, until the windows are empty.
        var account = -1;
        for (var attempt = 0; attempt < 32 && account < 0; attempt++)
        {
            var candidate = _random.Int(0, _accounts.Length - 1);
            if (_busyUntil[candidate] <= now && LastActivity(candidate) <= now - 2 * Minute)
            {
                account = candidate;
            }
        }

        if (account < 0)
        {
            return null;
        }

        _busyUntil[account] = now + 5 * Minute;
        var scenario = _random.ArrayElement(FraudScenario.All as string[] ?? FraudScenario.All.ToArray());
        var steps = new List<(decimal Amount, string? Country, string? Label)>();
        switch (scenario)
        {
            case FraudScenario.LargeAmount:
                steps.Add((Money(900, 5000), null, scenario));
                break;
            case FraudScenario.VelocityBurst:
                for (var i = 1; i <= 8; i++) steps.Add((Money(5, 80), null, i > 5 ? scenario : null));
                break;
            case FraudScenario.AmountSpree:
                var sum = 0m;
                for (var i = 0; i < 4; i++)
                {
                    var amount = Money(700, 850);
                    sum += amount;
                    steps.Add((amount, null, sum > 2000m ? scenario : null));
                }

                break;
            case FraudScenario.SmallThenLarge:
                steps.Add((Money(0.01m, 0.99m), null, null));
                steps.Add((Money(501, 880), null, scenario));
                break;
            default:
                var home = _countries[account];
                var far = FarCountry(home);
                steps.Add((NormalAmount(), home, null));
                steps.Add((NormalAmount(), far, scenario));
                _countries[account] = far; // the card is now abroad: later payments come from there
                break;
        }

        // Spread the steps over the next few hundred messages, so other traffic interleaves as in real life.
        var due = _sequence;
        for (var i = 1; i < steps.Count; i++)
        {
            due += _random.Int(5, 60);
            var (amount, country, label) = steps[i];
            _pending.Add((due, NewTransaction(account, amount, default, country), label));
        }

        var first = steps[0];
        return new GeneratedTransaction(NewTransaction(account, first.Amount, default, first.Country), first.Label, InScenario: true);
    }

    private long LastActivity(int account)
    {
        var last = long.MinValue;
        for (var s = 0; s < NormalPerMinute; s++) last = Math.Max(last, _recent[account * NormalPerMinute + s]);
        return last;
    }

    private string FarCountry(string home)
    {
        while (true)
        {
            var candidate = _random.ArrayElement(Countries.Known as string[] ?? Countries.Known.ToArray());
            if (Countries.DistanceKm(home, candidate) > 3000)
            {
                return candidate;
            }
        }
    }

    private Transaction NewTransaction(int account, decimal amount, DateTimeOffset time, string? country = null) => new(
        TransactionId: _random.Uuid().ToString(),
        Source: _accounts[account],
        Target: _random.ArrayElement(_merchants),
        Amount: amount,
        Currency: _currencies[account],
        Timestamp: time,
        MerchantCategory: _random.ArrayElement(Categories),
        Country: country ?? _countries[account],
        DeviceId: _devices[account]);

    /// <summary>Log-normal around 33 (most card payments are small), kept within 1.00–450.</summary>
    private decimal NormalAmount()
    {
        // Box-Muller from the seeded source, for a standard normal draw.
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - _random.Double())) * Math.Cos(2 * Math.PI * _random.Double());
        var value = Math.Exp(3.5 + gaussian);
        return Math.Round((decimal)Math.Clamp(value, 1.0, 450.0), 2);
    }

    private decimal Money(decimal min, decimal max) => Math.Round(_random.Decimal(min, max), 2);
}

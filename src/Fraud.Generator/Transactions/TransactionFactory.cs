using Bogus;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;
using Fraud.Generator.Scenarios;

namespace Fraud.Generator.Transactions;

/// <summary>
/// Makes the stream: normal traffic over a skewed account population, with fraud scenarios woven in. Everything is
/// drawn from one seeded random source and the caller's event times, so a seed and a schedule give the same stream.
/// Normal accounts behave like real cards: at most <see cref="NormalPerMinute"/> payments a minute, always in their
/// current country. In <see cref="Traffic.Clean"/> traffic their amounts are 1.00–450 in any currency and only scenarios
/// should be flagged; in <see cref="Traffic.Realistic"/> traffic amounts are worth alike in every currency and legit
/// patterns (<see cref="LegitPattern"/>) and harder scenarios are woven in too (see the sessions part).
/// </summary>
public sealed partial class TransactionFactory
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

    private static readonly string[] KnownCountries = [.. Countries.Known];
    private const long Minute = TimeSpan.TicksPerMinute;
    private readonly Randomizer _random;
    private readonly double _fraudShare;
    private readonly string[] _accounts;
    private readonly string[] _devices;
    private readonly string[] _countries;
    private readonly string[] _currencies;
    private readonly long[] _recent; // NormalPerMinute most recent event times per account (ring)
    private readonly long[] _busyUntil; // scenario accounts sit out normal traffic until then
    private readonly string[] _merchants;
    private readonly List<(long Due, GeneratedTransaction Step)> _pending = new(); // due by sequence number
    private readonly PriorityQueue<GeneratedTransaction, long> _later = new(); // due by event time (ticks)
    private readonly Traffic _traffic;
    private readonly TrafficMix _mix;
    private long _sequence;
    private long _sessions;

    public TransactionFactory(int seed, int accounts = 10_000, double fraudShare = 0.02, Traffic traffic = Traffic.Clean, TrafficMix? mix = null)
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
        _traffic = traffic;
        _mix = mix ?? new TrafficMix();
        _mix.Validate();
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
                var step = _pending[i].Step;
                _pending.RemoveAt(i);
                return Stamped(step, eventTime);
            }
        }

        if (_later.TryPeek(out var planned, out var due) && due <= now)
        {
            _later.Dequeue();
            return Stamped(planned, eventTime);
        }

        if (_traffic == Traffic.Realistic)
        {
            return NextRealistic(now, eventTime);
        }

        // Scenarios average ~3.4 messages; start them at the rate that makes their messages the configured share.
        if (_fraudShare > 0 && _random.Double() < _fraudShare / 3.4 && TryStartScenario(now) is { } first)
        {
            return Stamped(first, eventTime);
        }

        return Ordinary(now, eventTime);
    }

    private static GeneratedTransaction Stamped(GeneratedTransaction step, DateTimeOffset eventTime) =>
        step with { Transaction = step.Transaction with { Timestamp = eventTime } };

    private GeneratedTransaction Ordinary(long now, DateTimeOffset eventTime)
    {
        var account = PickNormalAccount(now);
        Record(account, now);
        return new GeneratedTransaction(NewTransaction(account, Local(NormalAmount(), account), eventTime), null);
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
            var candidate = _random.ArrayElement(KnownCountries);
            if (Countries.DistanceKm(home, candidate) > 3000)
            {
                return candidate;
            }
        }
    }

    private Transaction NewTransaction(int account, decimal amount, DateTimeOffset time, string? country = null, string? device = null) => new(
        TransactionId: _random.Uuid().ToString(),
        Source: _accounts[account],
        Target: _random.ArrayElement(_merchants),
        Amount: amount,
        Currency: _currencies[account],
        Timestamp: time,
        MerchantCategory: _random.ArrayElement(Categories),
        Country: country ?? _countries[account],
        DeviceId: device ?? _devices[account]);

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

using System.Buffers.Binary;
using System.Text;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Host.Detection;

/// <summary>
/// The latest fraud verdicts for the dashboard, each encoded into a fixed slot of one array from the pinned heap, and
/// made into objects again only when the dashboard reads them (see <see cref="NewestFirst"/>). Thread-safe.
/// </summary>
/// <remarks>
/// Why not a ring of references: each kept verdict held its transaction (six strings), its verdict and rule hits, ~700
/// bytes in a dozen objects, for as long as a thousand others took to replace it (one to two seconds at 50,000 msg/s),
/// longer than the young generation lasts, so young collections copied every one. In the e2e bench at 50,000 msg/s a
/// ring of 10 instead of 1,000 halved the detector's GC pauses (222 ms a phase against 440–590, the longest young one
/// 7.6 ms against 21–31) and its p99 came within 7.4 ms of the passthrough's (bench/RESULTS.md §13). Encoded, the
/// ring costs the young generation nothing. A verdict too large for a slot (ids of hundreds of characters) is kept as
/// its objects, in a side array.
/// </remarks>
public sealed class FlaggedRing
{
    /// <summary>Bytes per slot: a generator transaction with two rule hits takes ~250.</summary>
    public const int SlotBytes = 768;

    private readonly byte[] _slots;
    private readonly int[] _lengths; // 0: empty; -1: kept in _large
    private readonly FlaggedTransaction?[] _large;
    private readonly object _gate = new();
    private long _count;

    public FlaggedRing(int capacity)
    {
        Capacity = Math.Max(1, capacity);
        _slots = GC.AllocateUninitializedArray<byte>(Capacity * SlotBytes, pinned: true);
        _lengths = new int[Capacity];
        _large = new FlaggedTransaction?[Capacity];
    }

    public int Capacity { get; }

    /// <summary>Keeps <paramref name="flagged"/> in place of the oldest.</summary>
    public void Add(FlaggedTransaction flagged)
    {
        Span<byte> encoded = stackalloc byte[SlotBytes];
        var length = Encode(flagged, encoded);
        lock (_gate)
        {
            var slot = (int)(_count++ % Capacity);
            if (length > 0)
            {
                encoded[..length].CopyTo(_slots.AsSpan(slot * SlotBytes, SlotBytes));
                _lengths[slot] = length;
                _large[slot] = null;
            }
            else
            {
                _lengths[slot] = -1;
                _large[slot] = flagged;
            }
        }
    }

    /// <summary>
    /// The verdicts kept, newest first, each made into objects (the caller's to keep) only as the enumeration reaches it:
    /// the dashboard asks every second for the first 50 or so. Verdicts added meanwhile are not seen; the enumeration
    /// ends early if they replace the ones it has not reached yet.
    /// </summary>
    public IEnumerable<FlaggedTransaction> NewestFirst()
    {
        long start;
        lock (_gate)
        {
            start = _count;
        }

        var buffer = new byte[SlotBytes];
        for (var n = start - 1; n >= 0 && start - n <= Capacity; n--)
        {
            FlaggedTransaction? large = null;
            int length;
            lock (_gate)
            {
                var slot = (int)(n % Capacity);
                length = _count - n > Capacity ? 0 : _lengths[slot]; // 0: replaced since the enumeration began
                if (length < 0)
                {
                    large = _large[slot];
                }
                else if (length > 0)
                {
                    _slots.AsSpan(slot * SlotBytes, length).CopyTo(buffer);
                }
            }

            if (length == 0)
            {
                yield break;
            }

            yield return large ?? Decode(buffer.AsSpan(0, length));
        }
    }

    // Strings as a 16-bit length (0xFFFF for null) and UTF-8; decimals as their four 32-bit parts; times as UTC ticks
    // and an offset in minutes. 0 when it does not fit.
    private static int Encode(FlaggedTransaction flagged, Span<byte> into)
    {
        var (tx, verdict) = (flagged.Transaction, flagged.Verdict);
        var writer = new SlotWriter(into);
        writer.Text(tx.TransactionId);
        writer.Text(tx.Source);
        writer.Text(tx.Target);
        writer.Number(tx.Amount);
        writer.Text(tx.Currency);
        writer.Time(tx.Timestamp);
        writer.Text(tx.MerchantCategory);
        writer.Text(tx.Country);
        writer.Text(tx.DeviceId);
        writer.Long(BitConverter.DoubleToInt64Bits(verdict.Score));
        writer.Time(verdict.DetectedAt);
        writer.Text(verdict.DetectorNode);
        writer.Long(verdict.Late ? 1 : 0);
        writer.Long(flagged.Partition);
        writer.Long(verdict.Rules.Count);
        for (var i = 0; i < verdict.Rules.Count; i++)
        {
            var hit = verdict.Rules[i];
            writer.Text(hit.Id);
            writer.Number(hit.Observed);
            writer.Number(hit.Limit);
            writer.Text(hit.Window);
        }

        return writer.Fits ? writer.Written : 0;
    }

    private static FlaggedTransaction Decode(ReadOnlySpan<byte> from)
    {
        var reader = new SlotReader(from);
        var tx = new Transaction(reader.Text()!, reader.Text()!, reader.Text()!, reader.Number(), reader.Text()!, reader.Time(),
            reader.Text(), reader.Text(), reader.Text());
        var score = BitConverter.Int64BitsToDouble(reader.Long());
        var detectedAt = reader.Time();
        var node = reader.Text()!;
        var late = reader.Long() != 0;
        var partition = (int)reader.Long();
        var rules = new RuleHit[(int)reader.Long()];
        for (var i = 0; i < rules.Length; i++)
        {
            rules[i] = new RuleHit(reader.Text()!, reader.Number(), reader.Number(), reader.Text());
        }

        return new FlaggedTransaction(tx, new Verdict(score, rules, detectedAt, node, late), partition);
    }

    private ref struct SlotWriter(Span<byte> into)
    {
        private readonly Span<byte> _into = into;

        public int Written { get; private set; }

        public bool Fits { get; private set; } = true;

        public void Text(string? text)
        {
            if (text is null)
            {
                Short(ushort.MaxValue);
                return;
            }

            var bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes >= ushort.MaxValue || !Room(2 + bytes))
            {
                Fits = false;
                return;
            }

            Short((ushort)bytes);
            Written += Encoding.UTF8.GetBytes(text, _into[Written..]);
        }

        public void Number(decimal value)
        {
            Span<int> parts = stackalloc int[4];
            decimal.GetBits(value, parts);
            foreach (var part in parts)
            {
                Long(part);
            }
        }

        public void Time(DateTimeOffset time)
        {
            Long(time.UtcTicks);
            Long((long)time.Offset.TotalMinutes);
        }

        public void Long(long value)
        {
            if (Room(8))
            {
                BinaryPrimitives.WriteInt64LittleEndian(_into[Written..], value);
                Written += 8;
            }
        }

        private void Short(ushort value)
        {
            if (Room(2))
            {
                BinaryPrimitives.WriteUInt16LittleEndian(_into[Written..], value);
                Written += 2;
            }
        }

        private bool Room(int bytes)
        {
            if (Fits && Written + bytes <= _into.Length)
            {
                return true;
            }

            Fits = false;
            return false;
        }
    }

    private ref struct SlotReader(ReadOnlySpan<byte> from)
    {
        private readonly ReadOnlySpan<byte> _from = from;
        private int _at;

        public string? Text()
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(_from[_at..]);
            _at += 2;
            if (length == ushort.MaxValue)
            {
                return null;
            }

            var text = Encoding.UTF8.GetString(_from.Slice(_at, length));
            _at += length;
            return text;
        }

        public decimal Number() => new([(int)Long(), (int)Long(), (int)Long(), (int)Long()]);

        public DateTimeOffset Time()
        {
            var utcTicks = Long();
            var offset = TimeSpan.FromMinutes(Long());
            return new DateTimeOffset(utcTicks + offset.Ticks, offset);
        }

        public long Long()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_from[_at..]);
            _at += 8;
            return value;
        }
    }
}

using Fraud.Actors.Checkpoints;
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
        lock (_gate)
        {
            var slot = (int)(_count++ % Capacity);
            var length = Encode(flagged, _slots, slot * SlotBytes);
            _lengths[slot] = length > 0 ? length : -1;
            _large[slot] = length > 0 ? null : flagged;
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

            yield return large ?? Decode(buffer, length);
        }
    }

    // With the checkpoints' binary encoding (AccountStateCodec's for strings and rule hits); times as UTC ticks and an
    // offset in minutes. The bytes written, or 0 when they do not fit in a slot.
    private static int Encode(FlaggedTransaction flagged, byte[] slots, int at)
    {
        var (tx, verdict) = (flagged.Transaction, flagged.Verdict);
        using var stream = new MemoryStream(slots, at, SlotBytes, writable: true);
        using var w = new BinaryWriter(stream);
        try
        {
            w.Write(tx.TransactionId);
            w.Write(tx.Source);
            w.Write(tx.Target);
            w.Write(tx.Amount);
            w.Write(tx.Currency);
            WriteTime(w, tx.Timestamp);
            AccountStateCodec.WriteNullable(w, tx.MerchantCategory);
            AccountStateCodec.WriteNullable(w, tx.Country);
            AccountStateCodec.WriteNullable(w, tx.DeviceId);
            w.Write(verdict.Score);
            WriteTime(w, verdict.DetectedAt);
            w.Write(verdict.DetectorNode);
            w.Write(verdict.Late);
            w.Write(flagged.Partition);
            AccountStateCodec.WriteRules(w, verdict.Rules);
            w.Flush();
            return (int)stream.Position;
        }
        catch (NotSupportedException)
        {
            return 0; // a fixed stream cannot grow: larger than a slot
        }
    }

    private static FlaggedTransaction Decode(byte[] from, int length)
    {
        using var r = new BinaryReader(new MemoryStream(from, 0, length, writable: false));
        var tx = new Transaction(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadDecimal(), r.ReadString(), ReadTime(r),
            AccountStateCodec.ReadNullable(r), AccountStateCodec.ReadNullable(r), AccountStateCodec.ReadNullable(r));
        var score = r.ReadDouble();
        var detectedAt = ReadTime(r);
        var node = r.ReadString();
        var late = r.ReadBoolean();
        var partition = r.ReadInt32();
        var rules = AccountStateCodec.ReadRules(r);
        return new FlaggedTransaction(tx, new Verdict(score, rules, detectedAt, node, late), partition);
    }

    private static void WriteTime(BinaryWriter w, DateTimeOffset time)
    {
        w.Write(time.UtcTicks);
        w.Write((short)time.Offset.TotalMinutes);
    }

    private static DateTimeOffset ReadTime(BinaryReader r)
    {
        var utcTicks = r.ReadInt64();
        var offset = TimeSpan.FromMinutes(r.ReadInt16());
        return new DateTimeOffset(utcTicks + offset.Ticks, offset);
    }
}

using Fraud.Actors.State;
using Fraud.Actors.Checkpoints;
using Fraud.Actors.Rules;
using Fraud.Actors.Transactions;

namespace Fraud.Host.Detection;

/// <summary>
/// The latest fraud verdicts for the dashboard, each encoded into a fixed slot of one array from the pinned heap, and
/// made into objects again only when the dashboard reads them (see <see cref="NewestFirst"/>). Thread-safe, and bounded
/// in bytes: a verdict too large for a slot is kept encoded in an array of its own while those arrays together stay
/// within <see cref="Capacity"/> slots' worth; past that the oldest of them leave the list first.
/// </summary>
/// <remarks>
/// Encoded rather than as objects: each kept verdict would hold a dozen objects for as long as a thousand others take to
/// replace it, longer than the young generation lasts, and the young collections would copy every one.
/// </remarks>
public sealed class FlaggedRing
{
    /// <summary>Bytes per slot: a generator transaction with two rule hits takes ~250.</summary>
    public const int SlotBytes = 768;

    private const int Empty = 0;
    private const int InLarge = -1;
    private const int Dropped = -2;

    private readonly byte[] _slots;
    private readonly int[] _lengths; // > 0: bytes in the slot; Empty; InLarge; Dropped (too large for what is left)
    private readonly byte[]?[] _large;
    private readonly Queue<long> _largeOrder = new(); // the sequence numbers holding a large entry, oldest first
    private readonly long _largeBudget;
    private readonly object _gate = new();
    [ThreadStatic]
    private static byte[]? _scratch;
    private long _largeBytes;
    private long _count;

    public FlaggedRing(int capacity)
    {
        Capacity = Math.Max(1, capacity);
        _slots = GC.AllocateUninitializedArray<byte>(Capacity * SlotBytes, pinned: true);
        _lengths = new int[Capacity];
        _large = new byte[]?[Capacity];
        _largeBudget = (long)Capacity * SlotBytes;
    }

    public int Capacity { get; }

    /// <summary>Bytes the ring holds for verdicts too large for their slot (at most <see cref="Capacity"/> slots' worth).</summary>
    public long LargeBytes
    {
        get
        {
            lock (_gate)
            {
                return _largeBytes;
            }
        }
    }

    /// <summary>Keeps <paramref name="flagged"/> in place of the oldest.</summary>
    public void Add(FlaggedTransaction flagged)
    {
        var scratch = _scratch ??= new byte[SlotBytes];
        var length = Encode(flagged, scratch);
        lock (_gate)
        {
            var sequence = _count++;
            var slot = (int)(sequence % Capacity);
            ForgetLarge(slot);
            if (length <= SlotBytes)
            {
                scratch.AsSpan(0, length).CopyTo(_slots.AsSpan(slot * SlotBytes));
                _lengths[slot] = length;
                return;
            }
        }

        // Too large for a slot: encoded again, outside the lock, into an array of its own.
        var bytes = new byte[length];
        Encode(flagged, bytes);
        lock (_gate)
        {
            var sequence = _count - 1;
            var slot = (int)(sequence % Capacity);
            if (bytes.Length > _largeBudget)
            {
                _lengths[slot] = Dropped;
                return;
            }

            while (_largeBytes + bytes.Length > _largeBudget && _largeOrder.TryDequeue(out var oldest))
            {
                ForgetLarge((int)(oldest % Capacity), Dropped);
            }

            _large[slot] = bytes;
            _lengths[slot] = InLarge;
            _largeBytes += bytes.Length;
            _largeOrder.Enqueue(sequence);
        }
    }

    private void ForgetLarge(int slot, int mark = Empty)
    {
        if (_large[slot] is { } bytes)
        {
            _largeBytes -= bytes.Length;
            _large[slot] = null;
            _lengths[slot] = mark;
        }
    }

    /// <summary>
    /// The verdicts kept, newest first, each made into objects (the caller's to keep) only as the enumeration reaches it:
    /// the dashboard asks every second for the first 50 or so. Verdicts added meanwhile are not seen; the enumeration
    /// ends early if they replace the ones it has not reached yet.
    /// </summary>
    public IEnumerable<FlaggedTransaction> NewestFirst() => NewestFirst(null).Select(entry => entry.Flagged);

    /// <summary>
    /// As <see cref="NewestFirst()"/>, with each verdict's sequence number, starting below <paramref name="before"/> (a
    /// sequence number from an earlier page) when given.
    /// </summary>
    public IEnumerable<(long Sequence, FlaggedTransaction Flagged)> NewestFirst(long? before)
    {
        long start;
        lock (_gate)
        {
            start = Math.Min(_count, Math.Max(0, before ?? long.MaxValue));
        }

        var buffer = new byte[SlotBytes];
        for (var n = start - 1; n >= 0; n--)
        {
            byte[]? large = null;
            int length;
            lock (_gate)
            {
                var slot = (int)(n % Capacity);
                length = _count - n > Capacity ? Empty : _lengths[slot]; // Empty: replaced since the enumeration began
                if (length == InLarge)
                {
                    large = _large[slot];
                    length = large?.Length ?? Dropped;
                }
                else if (length > 0)
                {
                    _slots.AsSpan(slot * SlotBytes, length).CopyTo(buffer);
                }
            }

            if (length == Empty)
            {
                yield break;
            }

            if (length == Dropped)
            {
                continue;
            }

            yield return (n, Decode(large ?? buffer, length));
        }
    }

    // With the checkpoints' binary encoding (AccountStateCodec's for strings and rule hits); times as UTC ticks and an
    // offset in minutes. The length of the encoding, whether or not it fitted in <paramref name="into"/>.
    private static int Encode(FlaggedTransaction flagged, byte[] into)
    {
        var (tx, verdict) = (flagged.Transaction, flagged.Verdict);
        using var counter = new CountingStream(into);
        using var w = new BinaryWriter(counter);
        w.Write(tx.TransactionId);
        w.Write(tx.Source);
        w.Write(tx.Target);
        w.Write(tx.Amount);
        w.Write(tx.Currency);
        WriteTime(w, tx.Timestamp);
        BinaryVerdicts.WriteNullable(w, tx.MerchantCategory);
        BinaryVerdicts.WriteNullable(w, tx.Country);
        BinaryVerdicts.WriteNullable(w, tx.DeviceId);
        w.Write(tx.ReceivedAt is not null);
        if (tx.ReceivedAt is { } received)
        {
            WriteTime(w, received);
        }

        w.Write(verdict.Score);
        WriteTime(w, verdict.DetectedAt);
        w.Write(verdict.DetectorNode);
        w.Write(verdict.Late);
        w.Write((byte)verdict.Action);
        w.Write(flagged.Partition);
        BinaryVerdicts.WriteRules(w, verdict.Rules);
        w.Flush();
        return (int)counter.Position;
    }

    private static FlaggedTransaction Decode(byte[] from, int length)
    {
        using var r = new BinaryReader(new MemoryStream(from, 0, length, writable: false));
        var tx = new Transaction(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadDecimal(), r.ReadString(), ReadTime(r),
            BinaryVerdicts.ReadNullable(r), BinaryVerdicts.ReadNullable(r), BinaryVerdicts.ReadNullable(r));
        if (r.ReadBoolean())
        {
            tx = tx with { ReceivedAt = ReadTime(r) };
        }

        var score = r.ReadDouble();
        var detectedAt = ReadTime(r);
        var node = r.ReadString();
        var late = r.ReadBoolean();
        var action = (VerdictAction)r.ReadByte();
        var partition = r.ReadInt32();
        var rules = BinaryVerdicts.ReadRules(r);
        return new FlaggedTransaction(tx, new Verdict(score, rules, detectedAt, node, late) { Action = action }, partition);
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

    /// <summary>Writes into a fixed array as far as it goes, and counts every byte written, fitting or not.</summary>
    private sealed class CountingStream(byte[] into) : Stream
    {
        private long _position;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _position;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_position < into.Length)
            {
                var room = (int)Math.Min(buffer.Length, into.Length - _position);
                buffer[..room].CopyTo(into.AsSpan((int)_position));
            }

            _position += buffer.Length;
        }

        public override void WriteByte(byte value)
        {
            if (_position < into.Length)
            {
                into[_position] = value;
            }

            _position++;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

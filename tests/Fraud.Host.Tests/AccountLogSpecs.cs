using System.Text;
using Fraud.Host.Checkpoints;

namespace Fraud.Host.Tests;

/// <summary>The chunks the SQL store keeps a partition's accounts in.</summary>
public sealed class AccountLogSpecs
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static Dictionary<string, byte[]> Replay(IEnumerable<ArraySegment<byte>> chunks)
    {
        using var accounts = new AccountLog.LiveAccounts(capacity: 0);
        foreach (var chunk in chunks)
        {
            accounts.Apply(chunk.ToArray()); // as the store reads a row: the chunk's bytes, no more
        }

        return accounts.ToDictionary();
    }

    [Fact]
    public void Should_apply_states_and_removals_in_order_with_the_latest_state_winning()
    {
        using var first = AccountLog.Write([new("A", Bytes("a1")), new("B", Bytes("b1")), new("Ünïcode-✓", Bytes("u1"))], []);
        using var second = AccountLog.Write([new("A", Bytes("a2")), new("C", [])], ["B"]);

        var accounts = Replay(first.Segments.Concat(second.Segments));

        Assert.Equal(["A", "C", "Ünïcode-✓"], accounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Bytes("a2"), accounts["A"]);
        Assert.Equal(Bytes("u1"), accounts["Ünïcode-✓"]);
        Assert.Empty(accounts["C"]); // an empty state is a state, not a removal
    }

    [Fact]
    public void Should_split_entries_into_chunks_below_the_large_object_threshold()
    {
        var many = Enumerable.Range(0, 5_000).Select(i => new KeyValuePair<string, byte[]>($"ACC-{i}", new byte[100 + i % 50])).ToList();
        var huge = new KeyValuePair<string, byte[]>("HUGE", new byte[AccountLog.ChunkBytes * 2]);

        using var chunks = AccountLog.Write([.. many, huge], []);

        Assert.True(chunks.Count > 5, $"{chunks.Count} chunks for ~700 KB");
        // Only the entry larger than a chunk makes a larger one: version, id length, "HUGE", state length (3 bytes), state.
        Assert.Equal(huge.Value.Length + 1 + 1 + 4 + 3, Assert.Single(chunks.Segments, c => c.Count > AccountLog.ChunkBytes).Count);
        var accounts = Replay(chunks.Segments);
        Assert.Equal(5_001, accounts.Count);
        Assert.Equal(100 + 4_999 % 50, accounts["ACC-4999"].Length);
        Assert.Equal(huge.Value.Length, accounts["HUGE"].Length);
    }

    [Fact]
    public void Should_gather_the_live_accounts_from_pooled_chunks_as_applying_them_in_order_does()
    {
        using var first = AccountLog.Write([new("A", Bytes("a1")), new("B", Bytes("b1")), new("Ünïcode-✓", Bytes("u1"))], []);
        using var second = AccountLog.Write([new("A", Bytes("a2")), new("C", [])], ["B"]);
        using var live = new AccountLog.LiveAccounts(capacity: 2);
        live.Set("OLD", Bytes("o1")); // a row of the first layout, before the log
        foreach (var chunk in first.Segments.Concat(second.Segments))
        {
            var array = live.Rent(chunk.Count);
            chunk.AsSpan().CopyTo(array);
            array.AsSpan(chunk.Count).Fill(0xEE); // what a reused array holds past the chunk must not be read
            live.Apply(array.AsMemory(0, chunk.Count));
        }

        using var written = live.Write();
        var accounts = Replay(written.Segments);
        Assert.Equal(4, live.Count);
        Assert.Equal(["A", "C", "OLD", "Ünïcode-✓"], accounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Bytes("a2"), accounts["A"]);
        Assert.Empty(accounts["C"]);
        Assert.Equal(Bytes("o1"), accounts["OLD"]);
        Assert.Equal(Bytes("u1"), accounts["Ünïcode-✓"]);
    }

    [Fact]
    public void Should_write_nothing_when_nothing_changed()
    {
        using var chunks = AccountLog.Write([], []);
        Assert.Empty(chunks.Segments);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 9, 1, (byte)'A' })]
    [InlineData(new byte[] { 1, 5, (byte)'A' })]
    [InlineData(new byte[] { 1, 1, (byte)'A', 10, 1, 2 })]
    [InlineData(new byte[] { 1, 1, (byte)'A', 0x80 })]
    public void Should_refuse_a_chunk_it_cannot_read_with_a_clear_error(byte[] chunk)
    {
        using var accounts = new AccountLog.LiveAccounts(capacity: 0);
        var error = Assert.Throws<InvalidDataException>(() => accounts.Apply(chunk));
        Assert.StartsWith("account log chunk", error.Message);
    }
}

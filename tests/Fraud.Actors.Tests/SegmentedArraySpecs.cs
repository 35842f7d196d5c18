using Fraud.Actors.State;
using Fraud.Actors.Rules;

namespace Fraud.Actors.Tests;

/// <summary>The arenas' storage: grows by segments, keeps every item, moves nothing once a segment is full.</summary>
public sealed class SegmentedArraySpecs
{
    [Fact]
    public void Should_keep_every_item_as_it_grows_over_many_segments()
    {
        var array = new SegmentedArray<long>();
        const int items = 100_000; // 8,192 longs a segment: thirteen segments
        for (var i = 0; i < items; i++)
        {
            array.EnsureCapacity(i + 1);
            array[i] = i * 7L;
        }

        Assert.True(array.Capacity >= items);
        Assert.True(array.Capacity < items + array.SegmentLength, $"{array.Capacity} items held for {items}");
        for (var i = 0; i < items; i++)
        {
            Assert.Equal(i * 7L, array[i]);
        }
    }

    [Fact]
    public void Should_not_move_a_full_segment_when_it_grows()
    {
        var array = new SegmentedArray<int>();
        array.EnsureCapacity(array.SegmentLength);
        var span = array.Span(0, 4);
        array.EnsureCapacity(array.SegmentLength * 10);
        span[3] = 42; // written through the span taken before the growth
        Assert.Equal(42, array[3]);
    }

    [Fact]
    public void Should_keep_blocks_of_every_length_apart_in_a_pool()
    {
        // Blocks of several lengths, some longer than a segment's default, rented and returned in turn: each keeps
        // exactly what was written into it.
        var pool = new BlockPool<int>();
        var blocks = new List<(int Handle, int Mark)>();
        var random = new Random(5);
        for (var i = 0; i < 3_000; i++)
        {
            if (blocks.Count > 0 && random.Next(3) == 0)
            {
                var gone = random.Next(blocks.Count);
                pool.Return(blocks[gone].Handle);
                blocks.RemoveAt(gone);
            }

            var length = 1 << random.Next(1, 17); // up to 65,536 ints: past a segment (16,384), a segment of its own each
            var handle = pool.Rent(length);
            pool.Span(handle).Fill(i);
            blocks.Add((handle, i));
        }

        Assert.All(blocks, block => Assert.True(pool.Span(block.Handle).IndexOfAnyExcept(block.Mark) < 0, $"block {block.Mark} overwritten"));
    }
}

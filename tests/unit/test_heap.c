/* What engine blocks cost in the board's MicroPython heap (board/heap.h),
 * and each profile's heap. */
#include <stdint.h>

#include "board/heap.h"
#include "board/profile.h"
#include "check.h"

static void test_objects_cost_half_in_whole_blocks(void)
{
    CHECK_EQ(vb_heap_block_cost(0), 0);
    CHECK_EQ(vb_heap_block_cost(1), 16);
    CHECK_EQ(vb_heap_block_cost(32), 16);   /* 4 host words: 4 board words */
    CHECK_EQ(vb_heap_block_cost(33), 32);
    CHECK_EQ(vb_heap_block_cost(56), 32);   /* an empty list: 7 words */
    CHECK_EQ(vb_heap_block_cost(512), 256); /* the largest object */
}

static void test_buffers_cost_their_size(void)
{
    CHECK_EQ(vb_heap_block_cost(513), 528);
    CHECK_EQ(vb_heap_block_cost(50001), 50016); /* bytearray(50000): bytes are bytes */
    CHECK_EQ(vb_heap_block_cost(65536), 65536);
    /* never wraps: a huge request stays huge */
    CHECK(vb_heap_block_cost(SIZE_MAX) >= SIZE_MAX - 15);
    CHECK_EQ(vb_heap_block_cost(SIZE_MAX) % VB_HEAP_BLOCK, 0);
}

static void test_code(void)
{
    CHECK_EQ(vb_heap_code_cost(0, 0), 32);      /* header only */
    CHECK_EQ(vb_heap_code_cost(10, 2), 64);     /* 10 + 8 + 32 = 50 -> 4 blocks */
    CHECK_EQ(vb_heap_code_cost(100, 0), 144);
    CHECK(vb_heap_code_cost(SIZE_MAX, SIZE_MAX) >= SIZE_MAX - 15);
}

static void test_profiles_have_their_boards_heap(void)
{
    CHECK_EQ(vb_profile_find("esp32")->heap_size, 111168);
    CHECK_EQ(vb_profile_find("rp2")->heap_size, 216 * 1024);
    CHECK_EQ(vb_profile_find("pycom")->heap_size, 2560 * 1024);
    for (const vb_profile *const *p = vb_profile_all(); *p; p++)
        CHECK_EQ((*p)->heap_size % VB_HEAP_BLOCK, 0);
}

int main(void)
{
    RUN(test_objects_cost_half_in_whole_blocks);
    RUN(test_buffers_cost_their_size);
    RUN(test_code);
    RUN(test_profiles_have_their_boards_heap);
    return CHECK_DONE();
}

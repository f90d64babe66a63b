package org.fcn4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Which buffers an {@link Arena} hands out from pass to pass, and that they come zero-filled. */
class ArenaTest {

    @Test
    void repeatedPassReusesBuffers() {
        Arena arena = new Arena();
        float[] a;
        int[] b;
        try (var _ = arena.open(() -> true)) {
            a = Arena.floats(6);
            b = Arena.ints(4);
            a[2] = 5f;
            b[1] = 7;
        }
        try (var _ = arena.open(() -> true)) {
            assertSame(a, Arena.floats(6), "first request of the second pass");
            assertSame(b, Arena.ints(4), "second request of the second pass");
        }
        assertArrayEquals(new float[6], a, "a reused float buffer must come zero-filled");
        assertArrayEquals(new int[4], b, "a reused int buffer must come zero-filled");
    }

    @Test
    void overwriteBufferKeepsItsContents() {
        Arena arena = new Arena();
        float[] a;
        try (var _ = arena.open(() -> true)) {
            a = Arena.floatsToOverwrite(3);
            a[1] = 5f;
        }
        try (var _ = arena.open(() -> true)) {
            assertSame(a, Arena.floatsToOverwrite(3), "first request of the second pass");
            assertArrayEquals(new float[] {0f, 5f, 0f}, a, "a buffer to overwrite is handed out unzeroed");
        }
        assertArrayEquals(new float[4], Arena.floatsToOverwrite(4), "without an arena, a new zeroed array");
    }

    @Test
    void reorderedPassMatchesByLength() {
        Arena arena = new Arena();
        float[] six;
        float[] eight;
        int[] four;
        try (var _ = arena.open(() -> true)) {
            six = Arena.floats(6);
            eight = Arena.floats(8);
            four = Arena.ints(4);
        }
        try (var _ = arena.open(() -> true)) {
            assertSame(four, Arena.ints(4), "int request first in the second pass");
            assertSame(eight, Arena.floats(8), "length-8 request second in the second pass");
            assertSame(six, Arena.floats(6), "length-6 request third in the second pass");
            float[] extra = Arena.floats(6);
            assertNotSame(six, extra, "a second length-6 request in one pass must get a new array");
        }
    }

    @Test
    void untakenBuffersAreDropped() {
        Arena arena = new Arena();
        float[] six;
        float[] eight;
        try (var _ = arena.open(() -> true)) {
            six = Arena.floats(6);
            eight = Arena.floats(8);
        }
        try (var _ = arena.open(() -> true)) {
            assertSame(six, Arena.floats(6), "second pass, length 6");
        }
        try (var _ = arena.open(() -> true)) {
            assertSame(six, Arena.floats(6), "third pass, length 6");
            assertNotSame(eight, Arena.floats(8), "third pass, length 8: the second pass did not take it");
        }
    }

    @Test
    void suspendedOrMissingArenaGivesNewArrays() {
        Arena arena = new Arena();
        float[] first;
        try (var _ = arena.open(() -> true)) {
            first = Arena.floats(6);
            try (var _ = Arena.suspend()) {
                assertNotSame(first, Arena.floats(6), "request while the arena is suspended");
            }
        }
        try (var _ = arena.open(() -> false)) {
            assertNotSame(first, Arena.floats(6), "request of a pass whose previous pass is still read");
        }
        assertNotSame(first, Arena.floats(6), "request outside an open arena");
    }

    @Test
    void releasedBufferServesLaterRequest() {
        Arena arena = new Arena();
        float[] foreign = new float[6];
        try (var _ = arena.open(() -> true)) {
            float[] a = Arena.floats(6);
            Arena.release(foreign);
            assertNotSame(foreign, Arena.floats(6), "a request after releasing an array the arena did not hand out");
            a[0] = 3f;
            Arena.release(a);
            float[] again = Arena.floats(6);
            assertSame(a, again, "a request of the released length in the same pass");
            assertArrayEquals(new float[6], again, "a released buffer must come back zero-filled");
            assertNotSame(a, Arena.floats(6), "a second request after one release must get a new array");
        }
    }

    @Test
    void releasedUnusedBufferReusedOnce() {
        Arena arena = new Arena();
        float[] a;
        try (var _ = arena.open(() -> true)) {
            a = Arena.floats(6);
            Arena.release(a);
        }
        try (var _ = arena.open(() -> true)) {
            assertSame(a, Arena.floats(6), "first length-6 request of the next pass");
            assertNotSame(a, Arena.floats(6), "second length-6 request of the next pass");
        }
    }
}

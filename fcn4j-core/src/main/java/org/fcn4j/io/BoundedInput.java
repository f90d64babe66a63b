package org.fcn4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reader of a declared number of bytes from a stream whose real length is unknown, such as a
 * compressed file. It does not trust the declaration: the buffer grows in chunks of at most 1 MiB
 * as data arrives, so a corrupt header declaring gigabytes fails at end of stream instead of
 * allocating them.
 */
final class BoundedInput {
    static final int CHUNK = 1 << 20;

    private BoundedInput() {
    }

    /**
     * Reads exactly {@code declared} bytes.
     *
     * @throws IOException "{@code source}: truncated ..." when the stream ends first
     */
    static byte[] readExactly(InputStream in, long declared, String source, String what) throws IOException {
        if (declared > Integer.MAX_VALUE - 16) {
            throw new IOException(source + ": " + what + " declares " + declared + " bytes, more than the 2 GiB an "
                    + "array can hold");
        }
        int total = (int) declared;
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(total, CHUNK));
        byte[] chunk = new byte[Math.min(Math.max(total, 1), CHUNK)];
        int got = 0;
        while (got < total) {
            int r = in.read(chunk, 0, Math.min(chunk.length, total - got));
            if (r < 0) {
                throw new IOException(source + ": truncated: " + what + " declares " + declared + " bytes, but the "
                        + "data ends after " + got);
            }
            out.write(chunk, 0, r);
            got += r;
        }
        return out.toByteArray();
    }

    /** Throws unless the stream is at its end; {@code what} names the data that should have been last. */
    static void expectEnd(InputStream in, String source, String what) throws IOException {
        if (in.read() >= 0) {
            long extra = 1;
            byte[] skip = new byte[8192];
            int r;
            while ((r = in.read(skip)) > 0 && extra < (1L << 40)) {
                extra += r;
            }
            throw new IOException(source + ": " + extra + " unexpected bytes after the " + what
                    + "; the header declares less data than the file holds");
        }
    }
}

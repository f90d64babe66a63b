package org.fcn4j.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic file replacement: the content goes to a temporary file in the target's directory, is
 * flushed to disk, then renamed over the target, so a reader (or a run restarted after a crash)
 * sees either the old complete file or the new complete file, never a partial one.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes one file's content. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code path} atomically with the content that {@code writer} produces. */
    public static void write(Path path, Writer writer) throws IOException {
        Path absolute = path.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemporary(dir, absolute.getFileName().toString());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + absolute + " atomically: the file system of " + dir
                        + " does not support atomic renames", e);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Creates an empty file of a new name beside the target. Not with Files.createTempFile, which
     * makes it readable by its owner only: the renamed file would keep that, unlike the files a
     * program creates with the user's umask.
     */
    private static Path createTemporary(Path dir, String target) throws IOException {
        while (true) {
            Path tmp = dir.resolve("." + target + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                    + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                // Another writer's temporary file: draw another name.
            }
        }
    }

    /** Writes a string (UTF-8) to {@code path} atomically. */
    public static void writeString(Path path, String content) throws IOException {
        write(path, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}

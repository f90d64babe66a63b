package org.fcn4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic replacement: content, no temporary file left, the umask's permissions, failed writers. */
class AtomicFilesTest {

    @Test
    void replacesContentAndCleansUp(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.json");
        AtomicFiles.writeString(file, "first");
        AtomicFiles.writeString(file, "second");

        assertEquals("second", Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(file), list(dir), "only the target is left in the folder");
    }

    @Test
    void failedWriterKeepsOldFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("checkpoint.safetensors");
        AtomicFiles.writeString(file, "complete");

        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[] {1, 2, 3});
            throw new IOException("disk full");
        }));

        assertEquals("disk full", e.getMessage());
        assertEquals("complete", Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(file), list(dir), "the temporary file is deleted");
    }

    /** A run folder's files must be readable as the user's umask allows, like any file created there. */
    @Test
    void permissionsFollowUmask(@TempDir Path dir) throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file system");
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");

        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}

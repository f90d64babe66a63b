package org.fcn4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The search path for the data files of the built-in datasets. A file {@code NAME} (for example
 * {@code fashion-mnist/t10k-images-idx3-ubyte.gz}) is searched in these directories, first match
 * wins:
 * <ol>
 *   <li>the system property {@code fcn4j.data.dir}, else the environment variable
 *       {@code FCN4J_DATA} (a user's own data directory);</li>
 *   <li>{@code data/} in the working directory or its nearest ancestor that has one (a clone of
 *       the fcn4j repository, which commits the Fashion-MNIST test set there);</li>
 *   <li>the system property {@code fcn4j.repo.data}, which the {@code ./fcn4j} launcher sets to its
 *       repository's {@code data/} so the command line works from any directory;</li>
 *   <li>{@code /usr/share/datasets} (Debian's dataset packages, e.g. dataset-fashion-mnist, which
 *       also has the 60,000-image training set).</li>
 * </ol>
 */
public final class DataFiles {
    private DataFiles() {
    }

    /** Returns the directories searched, in order; only existing ones are listed. */
    public static List<Path> searchPath() {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        String configured = System.getProperty("fcn4j.data.dir");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("FCN4J_DATA");
        }
        if (configured != null && !configured.isBlank()) {
            dirs.add(Path.of(configured).toAbsolutePath().normalize());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("data");
            if (Files.isDirectory(d)) {
                dirs.add(d.normalize());
                break;
            }
        }
        String repo = System.getProperty("fcn4j.repo.data");
        if (repo != null && !repo.isBlank()) {
            dirs.add(Path.of(repo).toAbsolutePath().normalize());
        }
        dirs.add(Path.of("/usr/share/datasets"));
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isDirectory(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Returns the first existing {@code relative} file along {@link #searchPath()}.
     *
     * @throws IllegalStateException listing the directories searched when no copy exists
     */
    public static Path find(String relative) {
        List<Path> dirs = searchPath();
        for (Path d : dirs) {
            Path f = d.resolve(relative);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IllegalStateException("data file " + relative + " was not found in " + dirs + "; set the system "
                + "property fcn4j.data.dir or FCN4J_DATA to a directory that contains it");
    }
}

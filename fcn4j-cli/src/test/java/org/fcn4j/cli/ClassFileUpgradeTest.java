package org.fcn4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * Rewrites picocli's jar (class-file version 49) and checks that every class is then version 50
 * or later, passes the JVM's verifier and still parses a command line.
 */
class ClassFileUpgradeTest {

    @Test
    void picocliJarRewrittenAndVerified(@TempDir Path dir) throws Exception {
        Path picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> old = new ArrayList<>();
        for (Entry e : entries(picocli)) {
            if (e.name.endsWith(".class") && ClassFileUpgrade.majorVersion(e.bytes) < 50) {
                old.add(e.name);
            }
        }
        assertTrue(old.size() > 100, "picocli's jar should hold its Java 5 classes, found " + old.size());

        Path out = dir.resolve("upgraded.jar");
        ClassFileUpgrade.Result result = ClassFileUpgrade.upgrade(picocli, out);
        assertEquals(old.size(), result.rewritten(), "classes rewritten");
        assertEquals(List.of(), result.kept(), "classes kept as they were");

        List<String> classNames = new ArrayList<>();
        for (Entry e : entries(out)) {
            if (e.name.endsWith(".class") && !e.name.endsWith("module-info.class")) {
                assertTrue(ClassFileUpgrade.majorVersion(e.bytes) >= 50,
                        e.name + " still has version " + ClassFileUpgrade.majorVersion(e.bytes));
                classNames.add(e.name.substring(0, e.name.length() - ".class".length()).replace('/', '.'));
            }
        }
        assertEquals(entries(picocli).size(), entries(out).size(), "entries copied");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            // Initialising a class links it, which runs the verifier on it.
            for (String name : classNames) {
                if (!name.startsWith("META-INF")) {
                    Class.forName(name, true, loader);
                }
            }
            assertEquals(3, parseThreads(loader, "--threads", "3"));
        }
    }

    @Test
    void unreadableOldClassCopiedUnchanged(@TempDir Path dir) throws Exception {
        // A version 49 header followed by bytes that are no class file.
        byte[] damaged = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 49, 1, 2, 3};
        Path in = dir.resolve("in.jar");
        try (OutputStream file = Files.newOutputStream(in); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("a/Damaged.class"));
            zip.write(damaged);
            zip.closeEntry();
        }

        ClassFileUpgrade.Result result = ClassFileUpgrade.upgrade(in, dir.resolve("out.jar"));

        assertEquals(0, result.rewritten());
        assertEquals(List.of("a/Damaged.class"), result.kept());
        assertArrayEquals(damaged, entries(dir.resolve("out.jar")).get(0).bytes(), "copied byte for byte");
    }

    // Builds a command with one int option through picocli's programmatic API, from loader.
    private static Object parseThreads(ClassLoader loader, String... args) throws Exception {
        Class<?> specClass = loader.loadClass("picocli.CommandLine$Model$CommandSpec");
        Class<?> optionClass = loader.loadClass("picocli.CommandLine$Model$OptionSpec");
        Object spec = specClass.getMethod("create").invoke(null);
        Object builder = optionClass.getMethod("builder", String[].class).invoke(null, (Object) new String[] {"--threads"});
        // type() is declared by a package-private superclass of the builder.
        Method type = builder.getClass().getMethod("type", Class.class);
        type.setAccessible(true);
        type.invoke(builder, int.class);
        Object option = builder.getClass().getMethod("build").invoke(builder);
        specClass.getMethod("addOption", optionClass).invoke(spec, option);
        Object commandLine = loader.loadClass("picocli.CommandLine").getConstructor(Object.class).newInstance(spec);
        Object result = commandLine.getClass().getMethod("parseArgs", String[].class).invoke(commandLine, (Object) args);
        return result.getClass().getMethod("matchedOptionValue", String.class, Object.class)
                .invoke(result, "--threads", 0);
    }

    private record Entry(String name, byte[] bytes) {
    }

    private static List<Entry> entries(Path jar) throws Exception {
        List<Entry> list = new ArrayList<>();
        try (InputStream file = Files.newInputStream(jar); ZipInputStream zip = new ZipInputStream(file)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                list.add(new Entry(e.getName(), zip.readAllBytes()));
            }
        }
        return list;
    }
}

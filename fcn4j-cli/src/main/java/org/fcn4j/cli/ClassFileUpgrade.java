package org.fcn4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar, rewriting its class files older than Java 6 (version 50) as Java 8 class files
 * (version 52) with stack maps, the same code otherwise. The launcher runs it on the command-line
 * jar because the JVM's class-data sharing archive skips classes older than version 50: picocli's
 * are version 49, and reading and verifying them took about 50 ms of every start (docs/BENCHMARKS.md).
 *
 * <p>Usage: {@code java -cp fcn4j.jar org.fcn4j.cli.ClassFileUpgrade IN.jar OUT.jar}. It prints the
 * number of classes rewritten and kept, and exits with 1 and a message when the jar cannot be read
 * or written.
 *
 * <p>NOTE: a class that the ClassFile API cannot rebuild (old subroutine instructions, jsr and ret,
 * have no stack maps; a damaged file) is copied unchanged, so it still loads but is not archived.
 */
public final class ClassFileUpgrade {
    /** The first class-file version that the class-data sharing archive keeps (Java 6). */
    static final int FIRST_ARCHIVED_VERSION = 50;

    /** The version written: Java 8, whose verifier needs the stack maps written with it. */
    static final int WRITTEN_VERSION = 52;

    private ClassFileUpgrade() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ClassFileUpgrade IN.jar OUT.jar");
            System.exit(2);
        }
        try {
            Result result = upgrade(Path.of(args[0]), Path.of(args[1]));
            System.out.println(result.rewritten() + " class files rewritten as version " + WRITTEN_VERSION + ", "
                    + result.kept().size() + " kept as they were" + (result.kept().isEmpty() ? "" : ": " + result.kept()));
        } catch (IOException | RuntimeException e) {
            System.err.println("fcn4j: failed to rewrite the class files of " + args[0] + ": " + e);
            System.exit(1);
        }
    }

    /** The count of class files rewritten, and the names of the old ones copied unchanged. */
    record Result(int rewritten, List<String> kept) {
    }

    /**
     * Writes a copy of the jar in to out, with its class files older than version 50 rewritten as
     * version 52. Entries keep their order and names.
     */
    static Result upgrade(Path in, Path out) throws IOException {
        int rewritten = 0;
        List<String> kept = new ArrayList<>();
        // Stack maps need the common superclass of the types that meet at a branch, so the
        // resolver reads the jar's own classes too.
        try (URLClassLoader classes = new URLClassLoader(new URL[] {in.toUri().toURL()}, null);
                InputStream file = Files.newInputStream(in);
                ZipInputStream zip = new ZipInputStream(file);
                OutputStream target = Files.newOutputStream(out);
                ZipOutputStream copy = new ZipOutputStream(target)) {
            ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(classes))));
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                byte[] bytes = zip.readAllBytes();
                if (entry.getName().endsWith(".class") && majorVersion(bytes) < FIRST_ARCHIVED_VERSION) {
                    byte[] upgraded = rewrite(classFile, bytes);
                    if (upgraded == null) {
                        kept.add(entry.getName());
                    } else {
                        bytes = upgraded;
                        rewritten++;
                    }
                }
                copy.putNextEntry(new ZipEntry(entry.getName()));
                copy.write(bytes);
                copy.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Result(rewritten, kept);
    }

    // The class file's major version: bytes 6 and 7, after the magic number and the minor version.
    static int majorVersion(byte[] classBytes) {
        if (classBytes.length < 8) {
            return Integer.MAX_VALUE;  // not a class file: copied as it is
        }
        return (classBytes[6] & 0xff) << 8 | classBytes[7] & 0xff;
    }

    // Rebuilds every method body, which makes the ClassFile API compute its stack maps. Returns null
    // when the class cannot be parsed or rebuilt.
    private static byte[] rewrite(ClassFile classFile, byte[] bytes) {
        try {
            ClassModel model = classFile.parse(bytes);
            ClassTransform newVersion = (builder, element) -> {
                if (element instanceof ClassFileVersion) {
                    builder.withVersion(WRITTEN_VERSION, 0);
                } else {
                    builder.with(element);
                }
            };
            return classFile.transformClass(model,
                    ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL).andThen(newVersion));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return null;
        }
    }
}

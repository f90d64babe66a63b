package org.fcn4j.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} archives: a zip of {@code NAME.npy} members, stored ({@code np.savez}) or
 * deflated ({@code np.savez_compressed}). Arrays are returned by name without the {@code .npy}
 * suffix, in archive order. Deflated members are read in bounded chunks, so a member whose
 * header declares more data than it decompresses to fails without allocating that size.
 */
public final class Npz {
    private Npz() {
    }

    /** Reads every array of an archive. */
    public static Map<String, NdArray> read(Path file) throws IOException {
        Map<String, NdArray> out = new LinkedHashMap<>();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": not a valid .npz (zip) archive: " + e.getMessage(), e);
        }
        try (zip) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new IOException(file + ": member '" + name + "' is not a .npy array");
                }
                String source = file + " (member " + name + ")";
                long size = e.getMethod() == ZipEntry.STORED ? e.getSize() : -1;
                try (InputStream in = new BufferedInputStream(zip.getInputStream(e))) {
                    out.put(name.substring(0, name.length() - 4), Npy.read(in, size, source));
                } catch (ZipException ze) {
                    throw new IOException(source + ": corrupt compressed data: " + ze.getMessage(), ze);
                }
            }
        }
        return out;
    }

    /**
     * Writes arrays to an archive; {@code compress} deflates members as
     * {@code np.savez_compressed}, else they are stored as {@code np.savez} does.
     */
    public static void write(Path file, Map<String, NdArray> arrays, boolean compress) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, NdArray> a : arrays.entrySet()) {
                byte[] bytes = Npy.toBytes(a.getValue());
                ZipEntry e = new ZipEntry(a.getKey() + ".npy");
                if (compress) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(bytes.length);
                    e.setCompressedSize(bytes.length);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
    }
}

package org.badfl.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One file a dataset was read from, with its SHA-256 checksum, so that a result can be traced to the exact bytes
 * it was computed on. Checksums are computed once per file per process: a file is identified by its absolute
 * path, size and modification time (a changed file is hashed again), a class-path resource by its name.
 *
 * @param name   the file name (a resource: its path below the class-path root)
 * @param bytes  the file's size in bytes
 * @param sha256 the SHA-256 of the file's bytes as stored (compressed files are hashed compressed), lower-case hex
 */
public record DataFile(String name, long bytes, String sha256) {

    private static final Map<String, DataFile> CACHE = new ConcurrentHashMap<>();

    /** The checksum of {@code file} (cached). */
    public static DataFile of(Path file) {
        try {
            Path abs = file.toAbsolutePath().normalize();
            String key = "file:" + abs + ":" + Files.size(abs) + ":" + Files.getLastModifiedTime(abs).toMillis();
            return CACHE.computeIfAbsent(key, k -> {
                try (InputStream in = Files.newInputStream(abs)) {
                    return digest(abs.getFileName().toString(), in);
                } catch (IOException e) {
                    throw new DatasetFormatException(file + ": expected a readable file, found an I/O error: " + e, e);
                }
            });
        } catch (IOException e) {
            throw new DatasetFormatException(file + ": expected a readable file, found an I/O error: " + e, e);
        }
    }

    /** The checksum of the class-path resource {@code resource} (absolute, e.g. "/org/badfl/..."; cached). */
    public static DataFile ofResource(String resource) {
        return CACHE.computeIfAbsent("resource:" + resource, k -> {
            try (InputStream in = DataFile.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + resource + " missing from the class path (broken "
                        + "build?)");
                }
                return digest(resource.startsWith("/") ? resource.substring(1) : resource, in);
            } catch (IOException e) {
                throw new IllegalStateException("resource " + resource + " unreadable: " + e, e);
            }
        });
    }

    private static DataFile digest(String name, InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable in this JDK", e);
        }
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            md.update(buf, 0, r);
            total += r;
        }
        return new DataFile(name, total, HexFormat.of().formatHex(md.digest()));
    }
}

package io.credence.http.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's files, read from the class path: the project's own under {@code console/}, and
 * the front-end libraries from their WebJars (Maven artifacts of the npm packages, so no Node
 * build is needed). A library is served under a name without its version, which is read from the
 * WebJar itself: upgrading one is a change of the pom only.
 */
final class ConsoleAssets {
    /** A file ready to serve. */
    record Asset(byte[] bytes, String contentType, String etag) {}

    /** Console name of a library file: its WebJar (npm group and name) and the file inside it. */
    private record Vendored(String webjar, String file) {}

    private static final Map<String, Vendored> VENDORED = Map.of(
            "vendor/preact.mjs", new Vendored("preact", "dist/preact.module.js"),
            "vendor/uplot.mjs", new Vendored("uplot", "dist/uPlot.esm.js"),
            "vendor/uplot.css", new Vendored("uplot", "dist/uPlot.min.css"));
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    private static final int NAME_LENGTH_MAX = 200;

    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    /** The asset of that name, or empty: a name outside the console's own files finds nothing. */
    Optional<Asset> find(String name) {
        if (name.length() > NAME_LENGTH_MAX || !name.matches("[a-z0-9][a-z0-9._/-]*") || name.contains("..")
                || name.contains("//")) {
            return Optional.empty();
        }
        // the files never change while the server runs; unknown names are not remembered, so the
        // cache holds the console's own files at most
        Optional<Asset> known = cache.get(name);
        if (known != null) {
            return known;
        }
        Optional<Asset> loaded = load(name);
        if (loaded.isPresent()) {
            cache.put(name, loaded);
        }
        return loaded;
    }

    private static Optional<Asset> load(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        String type = TYPES.get(extension);
        if (type == null) {
            return Optional.empty();
        }
        Vendored vendored = VENDORED.get(name);
        String resource = vendored != null
                ? "META-INF/resources/webjars/" + vendored.webjar() + "/" + version(vendored.webjar()) + "/" + vendored.file()
                : "console/" + name;
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(bytes, type, etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the console's " + resource, e);
        }
    }

    /** The version of an npm WebJar on the class path, from the pom.properties Maven put in it. */
    private static String version(String webjar) {
        String resource = "META-INF/maven/org.webjars.npm/" + webjar + "/pom.properties";
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the WebJar " + webjar + " is not on the class path (" + resource + ")");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}

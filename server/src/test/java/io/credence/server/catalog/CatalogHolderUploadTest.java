package io.credence.server.catalog;

import io.credence.http.CatalogControl.Reload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The holder's side of uploads, with an engine the test controls: an upload the engine refuses
 * leaves the file as it was; reloads and uploads put catalogs in force one at a time, while a check
 * waits for nobody.
 */
class CatalogHolderUploadTest {
    private static final String VERSION = "2026-11-24.1";

    @TempDir
    Path dir;

    @Test
    void anUploadTheEngineRefusesLeavesTheFileAndTheCatalogInForce() throws Exception {
        Path file = dir.resolve("catalog.json");
        String text = Files.readString(CatalogFileTest.EXAMPLE);
        Files.writeString(file, text);
        AtomicReference<String> refusal = new AtomicReference<>();
        List<byte[]> installed = new CopyOnWriteArrayList<>();
        try (CatalogHolder holder = new CatalogHolder(file, source -> {
            installed.add(source);
            return refusal.get();
        })) {
            byte[] upload = text.replace(VERSION, "2026-12-06.1").getBytes(StandardCharsets.UTF_8);
            refusal.set("engine busy (64)");
            Reload refused = holder.apply(upload);
            assertThat(refused).isInstanceOf(Reload.Refused.class);
            assertThat(((Reload.Refused) refused).reason()).isEqualTo("uploaded catalog: the engine refused it: engine busy (64)");
            assertThat(((Reload.Refused) refused).line()).isZero();
            assertThat(installed).hasSize(2); // the start, and the refused upload
            assertThat(Files.readString(file)).isEqualTo(text);
            assertThat(holder.inForce().catalog().version()).isEqualTo(VERSION);
            assertThat(besideTheFile(file)).isEmpty();

            refusal.set(null);
            Reload loaded = holder.apply(upload);
            assertThat(loaded).isInstanceOf(Reload.Loaded.class);
            assertThat(((Reload.Loaded) loaded).catalog()).containsEntry("version", "2026-12-06.1")
                    .containsEntry("file", file.toString());
            assertThat(installed.getLast()).isEqualTo(upload);
            assertThat(Files.readAllBytes(file)).isEqualTo(upload);
            assertThat(holder.inForce().catalog().version()).isEqualTo("2026-12-06.1");
            assertThat(besideTheFile(file)).isEmpty();

            // a check is refused naming the upload's line and column, and installs nothing
            Reload.Refused bad = (Reload.Refused) holder.check(
                    text.replace("\"zone\": \"Europe/Berlin\"", "\"zone\": \"Nowhere/Here\"").getBytes(StandardCharsets.UTF_8));
            assertThat(bad.line()).isEqualTo(4);
            assertThat(bad.column()).isEqualTo(11); // the value after   "zone": 
            assertThat(bad.reason()).startsWith("uploaded catalog, line 4, column 11: /zone: not a time zone");
            assertThat(installed).hasSize(3);
        }
    }

    @Test
    void reloadsAndUploadsTakeTurnsAndACheckWaitsForNobody() throws Exception {
        Path file = dir.resolve("catalog.json");
        String text = Files.readString(CatalogFileTest.EXAMPLE);
        Files.writeString(file, text);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicBoolean hold = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the engine: counts who is inside at once, and holds the first upload until released
        java.util.function.Function<byte[], String> install = source -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                if (hold.getAndSet(false)) {
                    held.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            } finally {
                inside.decrementAndGet();
            }
        };
        try (ExecutorService pool = Executors.newCachedThreadPool(); CatalogHolder holder = new CatalogHolder(file, install)) {
            hold.set(true);
            // threads of the test's own: the common pool may have one worker, which the first upload holds
            CompletableFuture<Reload> first = CompletableFuture.supplyAsync(() -> holder.apply(bytes(text, "2026-12-07.1")),
                    pool);
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue(); // the first upload is in the engine
            Thread reload = Thread.ofPlatform().start(holder::reload);
            Thread second = Thread.ofPlatform().start(() -> holder.apply(bytes(text, "2026-12-07.2")));
            // a check does not wait for the upload under way
            Reload checked = CompletableFuture.supplyAsync(() -> holder.check(bytes(text, "2026-12-07.3")), pool)
                    .get(10, TimeUnit.SECONDS);
            assertThat(checked).isInstanceOf(Reload.Loaded.class);
            awaitBlocked(reload);
            awaitBlocked(second);
            assertThat(most.get()).as("one catalog goes in force at a time").isEqualTo(1);
            assertThat(holder.inForce().catalog().version()).isEqualTo(VERSION); // not yet in force

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(Reload.Loaded.class);
            reload.join(10_000);
            second.join(10_000);
            assertThat(most.get()).isEqualTo(1);
            String inFile = CatalogFile.read(file).version();
            assertThat(holder.inForce().catalog().version()).isEqualTo(inFile).isNotEqualTo("2026-12-07.3");
        }
    }

    /** Waits until {@code thread} waits for the holder's lock; fails after 10 s (a ceiling, not a timing). */
    private static void awaitBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (thread.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.BLOCKED);
    }

    private static byte[] bytes(String text, String version) {
        return text.replace(VERSION, version).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Path> besideTheFile(Path file) throws Exception {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.filter(p -> !p.equals(file)).toList();
        }
    }
}

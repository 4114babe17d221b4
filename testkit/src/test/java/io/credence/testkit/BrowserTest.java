package io.credence.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Browser} against a page the JDK's HTTP server serves under the console's policy,
 * {@code default-src 'self'}: a script file wires a button; an inline script, which the policy
 * refuses, would retitle the page; an image is missing. The console's tests rely on all three
 * surfacing in {@link Browser#consoleErrors}: what the page logs, what the policy refused, and
 * what failed to load.
 */
class BrowserTest {
    static final Duration WITHIN = Duration.ofSeconds(5);
    // the icon is declared because without one Chromium asks for /favicon.ico, and its 404 lands in
    // the console as an error whenever the request happens to finish: before or after the click
    static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>untouched</title><link rel="icon" href="/icon.svg"></head>
            <body>
            <button id="go">Go</button>
            <p id="text">before</p>
            <img src="/missing.png" alt="">
            <script src="/app.js"></script>
            <script>document.title = "inline ran";</script>
            </body></html>
            """;
    static final String SCRIPT = """
            document.getElementById("go").addEventListener("click", () => {
              document.getElementById("text").textContent = "after";
              console.error("boom");
            });
            """;
    static final String ICON = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>
            """;

    HttpServer server;
    String url;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            switch (exchange.getRequestURI().getPath()) {
                case "/" -> reply(exchange, 200, "text/html; charset=utf-8", PAGE);
                case "/app.js" -> reply(exchange, 200, "text/javascript; charset=utf-8", SCRIPT);
                case "/icon.svg" -> reply(exchange, 200, "image/svg+xml", ICON);
                default -> reply(exchange, 404, "text/plain; charset=utf-8", "not here");
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    @RequiresTools({"chromium", "chromedriver"})
    void drivesAPageAndReadsItsConsoleScreenAndViewport() throws IOException {
        try (Browser browser = Browser.start(800, 600)) {
            browser.driver().get(url);
            WebElement button = browser.waitFor(By.id("go"), WITHIN);

            // a failed load is reported when it fails, which may be after the page is there
            List<String> onLoad = new ArrayList<>();
            browser.waitUntil("the policy's refusal and the missing image in the console", WITHIN, () -> {
                onLoad.addAll(browser.consoleErrors());
                return onLoad.size() >= 2;
            });
            assertThat(browser.driver().getTitle()).as("the inline script never ran").isEqualTo("untouched");
            assertThat(onLoad).as("log: %s", browser.consoleLog()).satisfiesExactlyInAnyOrder(
                    csp -> assertThat(csp).startsWith("SEVERE " + url).contains("Content Security Policy")
                            .contains("default-src 'self'").contains("inline"),
                    missing -> assertThat(missing).startsWith("SEVERE " + url + "missing.png")
                            .contains("404"));

            button.click();
            browser.waitUntil("the text changed", WITHIN,
                    () -> browser.driver().findElement(By.id("text")).getText().equals("after"));
            // "SEVERE http://127.0.0.1:<port>/app.js 2:10 \"boom\"": where, counted from 0, then the arguments as JSON
            assertThat(browser.consoleErrors()).as("log: %s", browser.consoleLog()).singleElement().asString()
                    .startsWith("SEVERE " + url + "app.js ").endsWith(" \"boom\"");
            assertThat(browser.consoleErrors()).as("each error is returned once").isEmpty();
            assertThat(browser.consoleLog()).as("but all are kept in the log").hasSize(3)
                    .anyMatch(line -> line.contains("boom"));

            assertPng(browser.screenshot(Path.of("target", "browser-test.png")), 800, 600);

            browser.resize(390, 800);
            assertThat(((JavascriptExecutor) browser.driver()).executeScript("return window.innerWidth;"))
                    .isEqualTo(390L);
            assertThat(browser.viewport()).isEqualTo(new Dimension(390, 800));
            assertPng(browser.screenshot(Path.of("target", "browser-test-390.png")), 390, 800);
        }
    }

    @Test
    void aMissingBrowserNamesTheDebianPackages() {
        assertThat(Tools.installHint(List.of("chromium", "chromedriver")))
                .isEqualTo("Debian: apt-get install chromium chromium-driver; .ci/run installs them");
    }

    static void assertPng(Path file, int width, int height) throws IOException {
        assertThat(Files.readAllBytes(file)).as("PNG signature").startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).as("width of " + file).isEqualTo(width);
        assertThat(image.getHeight()).as("height of " + file).isEqualTo(height);
    }

    static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

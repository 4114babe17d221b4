package io.credence.testkit;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.devtools.CdpVersionFinder;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A headless Debian Chromium, driven through Debian's chromedriver, for the operator console's
 * browser tests. Both are found on the PATH (falling back to where Debian puts them) and named to
 * Selenium outright, so Selenium Manager never runs: it would try to download a browser and a
 * driver, and this machine's network is closed. A test using this names both in
 * {@code @RequiresTools({"chromium", "chromedriver"})}; {@code .ci/run} installs them.
 *
 * <p>Each browser gets a fresh, empty profile, deleted at {@link #close}, so no test sees another's
 * cookies, storage or cache. The page's console is kept (see {@link #consoleErrors}), since a
 * refused Content-Security-Policy or a script that throws shows nowhere else. Not thread-safe: one
 * test drives one browser.
 */
public final class Browser implements AutoCloseable {
    /**
     * Chromium's flags. Headless in the new mode, which is the real browser (the old one was a
     * separate implementation). No sandbox: CI runs as root, where Chromium will not start with
     * one. No GPU: there is none. The rest stop Chromium's own traffic (component updates, sync,
     * background fetches, QUIC probing), which on a closed network is only refused connections,
     * retried in the background, slowing start-up and cluttering the log. /dev/shm in a container
     * is often 64 MB, too small for Chromium's shared memory, hence --disable-dev-shm-usage. The
     * device scale factor is pinned to 1 so that a screenshot has one pixel per CSS pixel anywhere.
     */
    private static final List<String> FLAGS = List.of("--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--force-device-scale-factor=1");
    /**
     * Selenium looks for a DevTools (CDP) binding matching the browser's version on every start and
     * warns that there is none: the selenium-devtools-v* jars are left out on purpose, since this
     * class talks WebDriver only, and one of them matches just a few Chromium versions. Held here,
     * since java.util.logging forgets the level of a logger nobody references.
     */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger(CdpVersionFinder.class.getName());

    static {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
    }

    /** What {@link #waitFor(By)} gives an element to appear in. */
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final ChromeDriver driver;
    private final Path profile;
    /** Every console entry drained so far, as "LEVEL message". */
    private final List<String> log = new ArrayList<>();
    /** The warnings and errors drained since {@link #consoleErrors} last returned them. */
    private final List<String> unreported = new ArrayList<>();
    /** How much larger than the viewport the window is, as last measured (see {@link #resize}). */
    private Dimension frame = new Dimension(0, 0);

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium with a viewport (not a window) of {@code width} x {@code height} CSS pixels. */
    public static Browser start(int width, int height) {
        Path chromium = program("chromium", Path.of("/usr/bin/chromium"));
        Path chromedriver = program("chromedriver", Path.of("/usr/bin/chromedriver"));
        Path profile;
        try {
            profile = Files.createTempDirectory("credence-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary directory for Chromium's profile", e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(FLAGS);
        // the window size is a first guess at the viewport; resize, below, makes the viewport exact
        options.addArguments("--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        // the page's console (console.error, CSP refusals, failed loads) through chromedriver's log
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
        // chromedriver's own log would only repeat each command; what it has to say on failing to
        // start Chromium comes back in the exception anyway
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().withSilent(true).build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            deleteTree(profile);
            throw e;
        }
        Browser browser = new Browser(driver, profile);
        try {
            browser.resize(width, height);
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
        return browser;
    }

    /** The driver, for all that this class does not wrap (navigation, finding elements, scripts). */
    public WebDriver driver() {
        return driver;
    }

    /**
     * Makes the viewport {@code width} x {@code height} CSS pixels, what a layout test means by a
     * screen size. The window is not the viewport, even headless: Chromium 156 in the new headless
     * mode keeps 143 pixels of the window's height for browser UI it does not draw
     * ({@code --window-size=800,600} gives 800x457), and the figure is its own to change. So this
     * sets the window, measures the viewport ({@code window.innerWidth}, {@code innerHeight}) and,
     * where they differ, sets it again larger by the difference, which it keeps for the next time.
     */
    public void resize(int width, int height) {
        Dimension wanted = new Dimension(width, height);
        Dimension viewport = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            driver.manage().window().setSize(new Dimension(width + frame.width, height + frame.height));
            Dimension window = driver.manage().window().getSize();
            viewport = viewport();
            if (viewport.equals(wanted)) {
                return;
            }
            frame = new Dimension(window.width - viewport.width, window.height - viewport.height);
        }
        throw new IllegalStateException("asked for a viewport of " + width + "x" + height + ", Chromium gave "
                + viewport.width + "x" + viewport.height + " (window " + driver.manage().window().getSize() + ")");
    }

    /** The viewport's size in CSS pixels, as the page sees it. */
    public Dimension viewport() {
        Object size = ((JavascriptExecutor) driver).executeScript("return [window.innerWidth, window.innerHeight];");
        List<?> wh = (List<?>) size;
        return new Dimension(((Number) wh.get(0)).intValue(), ((Number) wh.get(1)).intValue());
    }

    /**
     * The page's console warnings and errors since this was last called, each as "LEVEL message"
     * ({@code "SEVERE http://127.0.0.1:8080/app.js 2:10 \"boom\""}): {@code console.error} and
     * {@code console.warn}, uncaught exceptions, resources that failed to load, and what the
     * Content-Security-Policy refused. Empty is what a test of a clean page expects.
     */
    public List<String> consoleErrors() {
        drain();
        List<String> errors = List.copyOf(unreported);
        unreported.clear();
        return errors;
    }

    /** Everything the page's console said since the start, every level, for a failure message. */
    public List<String> consoleLog() {
        drain();
        return List.copyOf(log);
    }

    /**
     * Reads what chromedriver has buffered of the console. Chromedriver hands each entry out once,
     * so everything read is kept here: a test may ask for the errors, then print the whole log.
     */
    private void drain() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            String line = entry.getLevel().getName() + " " + entry.getMessage();
            log.add(line);
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                unreported.add(line);
            }
        }
    }

    /** Writes what the viewport shows to {@code file} as a PNG (its directories made as needed). */
    public Path screenshot(Path file) {
        byte[] png = driver.getScreenshotAs(OutputType.BYTES);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + file, e);
        }
        return file;
    }

    /**
     * The element {@code by} finds, once it is displayed; fails after {@code within}, with the
     * console in the message (a script that threw is the usual reason an element never comes).
     */
    public WebElement waitFor(By by, Duration within) {
        return waiting(within).withMessage(() -> by + " displayed; console: " + consoleLog())
                .until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** The element {@code by} finds, once displayed, within a few seconds. */
    public WebElement waitFor(By by) {
        return waitFor(by, SETTLE);
    }

    /**
     * Polls {@code condition} until it holds; fails naming {@code what}, with the console, once
     * {@code within} has passed. An element replaced while the condition reads it (the page
     * re-rendered) counts as not yet.
     */
    public void waitUntil(String what, Duration within, Supplier<Boolean> condition) {
        waiting(within).withMessage(() -> what + "; console: " + consoleLog()).until(d -> condition.get());
    }

    private WebDriverWait waiting(Duration within) {
        WebDriverWait wait = new WebDriverWait(driver, within, Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Quits Chromium and chromedriver and deletes the profile. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteTree(profile);
        }
    }

    /** {@code name} on the PATH, else where Debian puts it; fails saying which it looked at. */
    private static Path program(String name, Path debian) {
        return Tools.locate(name).or(() -> Optional.of(debian).filter(Files::isExecutable))
                .orElseThrow(() -> new IllegalStateException(name + " is neither on the PATH nor at " + debian
                        + " (" + Tools.installHint(List.of(name)) + ")"));
    }

    /**
     * Deletes {@code dir} and all in it. Chromium may still be finishing a write as it exits, so a
     * file that vanished is fine and a directory that was not yet empty is tried again once.
     */
    private static void deleteTree(Path dir) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
                return;
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException | UncheckedIOException e) {
                if (attempt == 1) {
                    throw new UncheckedIOException("cannot delete Chromium's profile " + dir,
                            e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
                }
            }
        }
    }
}

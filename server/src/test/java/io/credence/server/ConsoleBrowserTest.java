package io.credence.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.credence.diameter.cc.CcrBuilder;
import io.credence.diameter.cc.CreditControlConfig;
import io.credence.diameter.codec.Avp;
import io.credence.diameter.codec.Avps;
import io.credence.diameter.codec.Codes;
import io.credence.diameter.codec.DiameterMessage;
import io.credence.diameter.transport.DiameterClient;
import io.credence.diameter.transport.TransportConfig;
import io.credence.http.ApiKeys;
import io.credence.journal.JournalConfig;
import io.credence.ledger.LedgerLimits;
import io.credence.ledger.Unit;
import io.credence.server.catalog.CatalogFile;
import io.credence.testkit.Browser;
import io.credence.testkit.RequiresTools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console, driven in headless Chromium against a real server (API keys, the example
 * catalog, Diameter on loopback) and a Diameter client of the test's own. Every test ends by
 * checking the browser's console: an error there (a script that threw, a refused CSP, a failed
 * load) fails it, unless the test expected exactly that answer. Screenshots go to
 * {@code target/console/}.
 */
@RequiresTools({"chromium", "chromedriver"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Path SHOTS = Path.of("target", "console");
    private static final String MSISDN = "4930123";

    @TempDir
    static Path dir; // static: a per-class instance gets its fields only after @BeforeAll
    CredenceServer server;
    Browser browser;
    DiameterClient pgw;
    final List<DiameterMessage> serverRequests = new CopyOnWriteArrayList<>();
    String base;
    Path catalogFile;

    @BeforeAll
    void start() throws Exception {
        catalogFile = dir.resolve("catalog.json");
        Files.copy(SecuredServer.EXAMPLE_CATALOG, catalogFile);
        DiameterSettings diameter = new DiameterSettings(TransportConfig.defaults("127.0.0.1", 0), SecuredServer.OCS,
                Set.of(SecuredServer.PGW.originHost()), CreditControlConfig.defaults(), CatalogFile.readAll(catalogFile),
                catalogFile, Duration.ZERO);
        ServerConfig config = new ServerConfig(dir.resolve("data"), "127.0.0.1", 0, "EUR", 16, 64,
                JournalConfig.DEFAULTS, LedgerLimits.DEFAULTS, diameter)
                .withHttpAccess(new HttpAccess(ApiKeys.read(SecuredServer.keysFile(dir)), null));
        server = CredenceServer.start(config, fatal -> { throw new AssertionError(fatal); });
        base = "http://127.0.0.1:" + server.httpPort();
        adminCall("POST", "/v1/accounts", "{\"accountId\":\"bob\",\"kind\":\"SUBSCRIBER\"}");
        adminCall("POST", "/v1/accounts/bob/topups", "{\"unit\":\"MONEY\",\"amount\":10000}");
        adminCall("POST", "/v1/accounts/bob/topups", "{\"unit\":\"BYTES\",\"amount\":50000}");
        adminCall("POST", "/v1/accounts/bob/identities", "{\"type\":\"E164\",\"value\":\"" + MSISDN + "\"}");
        adminCall("POST", "/v1/accounts/bob/identities", "{\"type\":\"SIP_URI\",\"value\":\"sip:+" + MSISDN
                + "@ims.example.com\"}");
        pgw = DiameterClient.connect("127.0.0.1", server.diameterPort(), SecuredServer.PGW,
                DiameterClient.Options.defaults(), request -> {
                    serverRequests.add(request);
                    return request.answer(List.of(request.find(Codes.SESSION_ID, 0).orElseThrow(),
                            Avps.unsigned32(Codes.RESULT_CODE, 0, true, Codes.DIAMETER_SUCCESS),
                            Avps.utf8(Codes.ORIGIN_HOST, 0, true, SecuredServer.PGW.originHost()),
                            Avps.utf8(Codes.ORIGIN_REALM, 0, true, SecuredServer.PGW.originRealm())));
                });
        // three relay providers: three leaves on the market's contract log for the Network page
        SecuredServer.Client market = new SecuredServer.Client(server.httpPort());
        for (String provider : List.of("relay-a", "relay-b", "relay-c")) {
            MarketFixture.party(market, provider, 0);
        }
        browser = Browser.start(1280, 800);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (pgw != null) {
            pgw.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshBrowserSession() {
        browser.resize(1280, 800);
        browser.driver().get(base + "/console/");
        browser.driver().manage().deleteAllCookies();
        browser.consoleErrors();
    }

    @AfterEach
    void noConsoleErrors() {
        assertThat(browser.consoleErrors()).as("the browser's console (all of it: %s)", browser.consoleLog()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- tests

    @Test
    void anAdminFindsASubscriberByMsisdnTopsUpAndAdjustsWithAReason() throws Exception {
        signIn(SecuredServer.ADMIN);
        search("+" + MSISDN);
        browser.waitUntil("bob's account page", WAIT, () -> text("h1").contains("bob"));
        long before = balance("MONEY");
        assertThat(before).isEqualTo(apiBalance("MONEY"));

        fill("topup", "amount", "500");
        new Select(form("topup").findElement(By.name("unit"))).selectByVisibleText("MONEY");
        submit("topup");
        browser.waitUntil("the balance to grow by 500", WAIT, () -> balance("MONEY") == before + 500);
        assertThat(apiBalance("MONEY")).isEqualTo(before + 500);

        fill("adjust", "amount", "-120");
        fill("adjust", "reason", "goodwill reversed: duplicate top-up");
        submit("adjust");
        browser.waitUntil("the adjustment to show with its reason", WAIT,
                () -> text("#transfers").contains("goodwill reversed: duplicate top-up"));
        assertThat(apiBalance("MONEY")).isEqualTo(before + 500 - 120);
        JsonNode recorded = adminCall("GET", "/v1/accounts/bob/adjustments", null).json();
        assertThat(recorded.path("adjustments").get(0).path("by").asText()).isEqualTo("ops");
        assertThat(recorded.path("adjustments").get(0).path("applied").asBoolean()).isTrue();
        shot("subscriber-actions-1280.png", "#actions");

        // a bucket for rating group 10, valid until a given day
        fill("bucket", "amount", "7000");
        fill("bucket", "validUntil", "2030-01-31");
        fill("bucket", "ratingGroups", "10");
        submit("bucket");
        browser.waitUntil("the new bucket listed", WAIT, () -> text("#buckets").contains("7000")
                && text("#buckets").contains("RG 10") && text("#buckets").contains("2030-01-31"));
        // an identity bound, then unbound
        new Select(form("bind").findElement(By.name("type"))).selectByVisibleText("IMSI");
        fill("bind", "value", "001010000012345");
        submit("bind");
        browser.waitUntil("the IMSI bound", WAIT, () -> text("#identities").contains("001010000012345"));
        assertThat(adminCall("GET", "/v1/identities/IMSI/001010000012345", null).json().path("accountId").asText())
                .isEqualTo("bob");
        WebElement unbind = browser.driver().findElement(By.xpath(
                "//section[@id='identities']//tr[td[text()='001010000012345']]//button"));
        unbind.click();
        browser.waitUntil("the IMSI unbound", WAIT, () -> !text("#identities").contains("001010000012345"));
        // suspended, then active again
        submit("status");
        browser.waitUntil("suspended", WAIT, () -> text(".facts").startsWith("SUSPENDED"));
        assertThat(adminCall("GET", "/v1/accounts/bob", null).json().path("status").asText()).isEqualTo("SUSPENDED");
        submit("status");
        browser.waitUntil("active again", WAIT, () -> text(".facts").startsWith("ACTIVE"));

        // an IMSI nobody holds finds nothing, and says so
        browser.driver().get(base + "/console/#/subscribers");
        search("001019999999999");
        browser.waitUntil("no match", WAIT, () -> text("main").contains("No account is known by that."));
    }

    @Test
    void aLiveDiameterSessionIsShownAndEndedFromThePageAndTheClientGetsTheAsr() throws Exception {
        String sid = "pgw.sec.test;console;1";
        DiameterMessage cca = pgw.send(CcrBuilder.request(sid, SecuredServer.PGW.originHost(),
                SecuredServer.PGW.originRealm(), SecuredServer.OCS.originRealm(), Codes.INITIAL_REQUEST, 0)
                .msisdn(MSISDN).mscc(10, Unit.BYTES, 5_000L, null).build(1)).get(10, TimeUnit.SECONDS);
        assertThat(cca.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32)).contains(Codes.DIAMETER_SUCCESS);

        signIn(SecuredServer.ADMIN);
        browser.driver().get(base + "/console/#/sessions");
        browser.waitUntil("the session listed", WAIT, () -> text("main").contains(sid));
        fill(null, "peer", SecuredServer.PGW.originHost());
        browser.driver().findElement(By.cssSelector("form.filters button")).click();
        browser.waitUntil("the filtered list", WAIT, () -> text("main").contains(sid));
        browser.driver().findElement(By.linkText(sid)).click();
        browser.waitUntil("its grants", WAIT, () -> text("#grants").contains("5000 BYTES"));
        shot("session-1280.png", "h1");

        submit("reauth");
        browser.waitUntil("the client's answer to the RAR", WAIT,
                () -> text("main").contains("Asked to re-authorise: the client answered 2001"));
        assertThat(serverRequests).extracting(DiameterMessage::commandCode).contains(Codes.RE_AUTH);
        submit("abort");
        browser.waitUntil("the client's answer shown", WAIT, () -> text("main").contains("the client answered 2001"));
        assertThat(serverRequests).extracting(DiameterMessage::commandCode).contains(Codes.ABORT_SESSION);
        assertThat(serverRequests.getLast().find(Codes.SESSION_ID, 0).map(Avp::utf8)).contains(sid);
        // the session is ended by its CCR-T, as a real gateway does after ASR
        pgw.send(CcrBuilder.request(sid, SecuredServer.PGW.originHost(), SecuredServer.PGW.originRealm(),
                SecuredServer.OCS.originRealm(), Codes.TERMINATION_REQUEST, 1).mscc(10, Unit.BYTES, null, 1200L)
                .build(1)).get(10, TimeUnit.SECONDS);
        browser.driver().navigate().refresh();
        browser.waitUntil("the session gone, its history kept", WAIT,
                () -> text("main").contains("not open") && text("#history").contains("1200 BYTES"));
    }

    @Test
    void theNetworkPageShowsThePeerAndChecksTheMarketLogsInclusionProofs() throws Exception {
        String sid = "pgw.sec.test;network;1";
        pgw.send(CcrBuilder.request(sid, SecuredServer.PGW.originHost(), SecuredServer.PGW.originRealm(),
                SecuredServer.OCS.originRealm(), Codes.INITIAL_REQUEST, 0).msisdn(MSISDN)
                .mscc(10, Unit.BYTES, 1000L, null).build(1)).get(10, TimeUnit.SECONDS);
        pgw.send(CcrBuilder.request(sid, SecuredServer.PGW.originHost(), SecuredServer.PGW.originRealm(),
                SecuredServer.OCS.originRealm(), Codes.TERMINATION_REQUEST, 1).mscc(10, Unit.BYTES, null, 10L)
                .build(1)).get(10, TimeUnit.SECONDS);
        long treeSize = adminCall("GET", "/v1/market/log", null).json().path("size").asLong();
        assertThat(treeSize).isGreaterThanOrEqualTo(3);

        signIn(SecuredServer.READ_ONLY);
        browser.driver().get(base + "/console/#/network");
        browser.waitUntil("the market log's entries", WAIT,
                () -> !browser.driver().findElements(By.cssSelector("#market tbody tr")).isEmpty());
        List<WebElement> peer = browser.driver().findElements(By.xpath(
                "//section[@id='peers']//tr[td[1][text()='" + SecuredServer.PGW.originHost() + "']]/td"));
        assertThat(peer).extracting(WebElement::getText).contains("OPEN", "OKAY");
        assertThat(Long.parseLong(peer.get(6).getText())).as("requests received from the peer").isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(peer.get(5).getText())).as("in flight").isZero();
        List<String> inclusion = browser.driver().findElements(By.cssSelector("#market tbody tr td:last-child"))
                .stream().map(WebElement::getText).toList();
        assertThat(inclusion).hasSize((int) Math.min(5, treeSize))
                .allMatch(verdict -> verdict.equals("verified against the head"));
        assertThat(text("#market")).contains("provider registration");
        shot("network-1280.png", "h1");
    }

    @Test
    void aReadOnlyKeySeesNoActionsAndForgedChangesAreRefused() throws Exception {
        signIn(SecuredServer.READ_ONLY);
        browser.driver().get(base + "/console/#/accounts/bob");
        browser.waitUntil("bob's balances", WAIT, () -> text("#balances").contains("MONEY"));
        assertThat(browser.driver().findElements(By.cssSelector("form.action"))).isEmpty();
        assertThat(buttonTexts()).containsExactlyInAnyOrder("Sign out");
        browser.driver().get(base + "/console/#/catalog");
        browser.waitUntil("the catalog", WAIT, () -> text("main").contains("Rating tester"));
        assertThat(browser.driver().findElements(By.id("upload"))).isEmpty();
        assertThat(buttonTexts()).containsExactlyInAnyOrder("Sign out", "Price it"); // a quote changes nothing
        fill("quote", "units", "30");
        submit("quote");
        browser.waitUntil("a read-only key's quote", WAIT, () -> !text("#quote-decision").isEmpty());

        // the page's own fetch, with the read-only session and even the right token: the role says no
        Map<?, ?> refused = fetchFromPage("POST", "/v1/accounts/bob/topups", "{\"unit\":\"MONEY\",\"amount\":1}", true);
        assertThat(refused.get("status")).isEqualTo(403L);
        assertThat(expectedConsoleError()).contains("/v1/accounts/bob/topups").contains("403");

        // an admin session: a change without the CSRF token, or from another origin, is refused
        signIn(SecuredServer.ADMIN);
        Map<?, ?> noToken = fetchFromPage("POST", "/v1/accounts/bob/topups", "{\"unit\":\"MONEY\",\"amount\":1}", false);
        assertThat(noToken.get("status")).isEqualTo(403L);
        assertThat(String.valueOf(noToken.get("body"))).contains("csrf");
        assertThat(expectedConsoleError()).contains("403");
        String cookie = browser.driver().manage().getCookieNamed("credence_console").getValue();
        assertThat(browser.driver().manage().getCookieNamed("credence_console").isHttpOnly()).isTrue();
        long money = apiBalance("MONEY");
        HttpResponse<String> crossSite = withCookie(cookie, "POST", "/v1/accounts/bob/topups",
                "{\"unit\":\"MONEY\",\"amount\":1}", Map.of("Origin", "http://evil.example"));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        HttpResponse<String> forged = withCookie(cookie, "POST", "/v1/accounts/bob/topups",
                "{\"unit\":\"MONEY\",\"amount\":1}", Map.of("X-CSRF-Token", "guessed"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(apiBalance("MONEY")).as("nothing changed").isEqualTo(money);
        // the key is nowhere in the page's storage; the session's token only in its memory
        Object stored = ((JavascriptExecutor) browser.driver()).executeScript(
                "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie");
        assertThat(String.valueOf(stored)).doesNotContain(SecuredServer.ADMIN).doesNotContain(cookie);
    }

    @Test
    void theRatingTesterAgreesWithWhatARealCcrIsCharged() throws Exception {
        signIn(SecuredServer.ADMIN);
        browser.driver().get(base + "/console/#/catalog");
        browser.waitUntil("the tester", WAIT, () -> !browser.driver().findElements(By.name("units")).isEmpty());
        fill("quote", "service", "voice");
        fill("quote", "units", "90");
        submit("quote");
        browser.waitUntil("the quote", WAIT, () -> !browser.driver().findElements(By.id("quote-price")).isEmpty());
        String rule = text("#quote-rule");
        long quoted = Long.parseLong(text("#quote-price").split(" ")[0]);
        shot("rating-tester-1280.png", "#tester");

        // the same call over Ro: 90 seconds of voice (rating group 100) without terminal attributes
        String sid = "pgw.sec.test;voice;1";
        pgw.send(CcrBuilder.request(sid, SecuredServer.PGW.originHost(), SecuredServer.PGW.originRealm(),
                SecuredServer.OCS.originRealm(), Codes.INITIAL_REQUEST, 0).msisdn(MSISDN)
                .mscc(100, Unit.SECONDS, 300L, null).build(1)).get(10, TimeUnit.SECONDS);
        DiameterMessage cca = pgw.send(CcrBuilder.request(sid, SecuredServer.PGW.originHost(),
                SecuredServer.PGW.originRealm(), SecuredServer.OCS.originRealm(), Codes.TERMINATION_REQUEST, 1)
                .mscc(100, Unit.SECONDS, null, 90L).build(1)).get(10, TimeUnit.SECONDS);
        assertThat(cca.find(Codes.RESULT_CODE, 0).map(Avp::unsigned32)).contains(Codes.DIAMETER_SUCCESS);
        JsonNode records = adminCall("GET", "/v1/records?session=" + java.net.URLEncoder.encode(sid,
                java.nio.charset.StandardCharsets.UTF_8), null).json().path("records");
        assertThat(records).hasSize(1);
        assertThat(records.get(0).path("rule").asText()).isEqualTo(rule);
        assertThat(records.get(0).path("price").asLong()).as("charged for the CCR").isEqualTo(quoted);
    }

    @Test
    void aCatalogWithAnErrorIsRefusedWithItsLineAndAGoodOneIsApplied() throws Exception {
        String good = Files.readString(catalogFile);
        String version = adminCall("GET", "/v1/catalog", null).json().path("version").asText();
        List<String> lines = new ArrayList<>(good.lines().toList());
        int tariffLine = lines.indexOf(lines.stream().filter(l -> l.contains("\"charge\": \"voice-standard\"")).findFirst()
                .orElseThrow()) + 1;
        lines.set(tariffLine - 1, lines.get(tariffLine - 1).replace("voice-standard", "voice-gold"));
        String bad = String.join("\n", lines) + "\n";

        signIn(SecuredServer.ADMIN);
        browser.driver().get(base + "/console/#/catalog");
        WebElement text = browser.waitFor(By.name("catalogText"), WAIT);
        setText(text, bad);
        browser.driver().findElement(By.name("check")).click();
        browser.waitUntil("the refusal with its line", WAIT, () -> !browser.driver().findElements(
                By.cssSelector("#catalog-refusal li.bad-line")).isEmpty());
        assertThat(text("#catalog-refusal")).contains("Line " + tariffLine);
        assertThat(text("#catalog-refusal li.bad-line")).contains("voice-gold");
        assertThat(text(".message.error")).contains("voice-gold");
        shot("catalog-refused-1280.png", "#catalog-refusal");
        assertThat(expectedConsoleError()).contains("/v1/catalog/check").contains("422");
        browser.driver().findElement(By.name("apply")).click();
        assertThat(expectedConsoleError()).as("the apply refused too").contains("/v1/catalog").contains("422");
        assertThat(Files.readString(catalogFile)).as("the file is untouched").isEqualTo(good);
        assertThat(adminCall("GET", "/v1/catalog", null).json().path("version").asText()).isEqualTo(version);

        String next = good.replace("\"version\": \"" + version + "\"", "\"version\": \"console-test.2\"");
        setText(text, next);
        browser.driver().findElement(By.name("apply")).click();
        browser.waitUntil("the new version in force", WAIT, () -> text("#catalog-version").equals("console-test.2"));
        assertThat(Files.readString(catalogFile)).isEqualTo(next);
        assertThat(adminCall("GET", "/v1/catalog", null).json().path("version").asText()).isEqualTo("console-test.2");
        // back as it was, for the other tests
        assertThat(withKey("PUT", "/v1/catalog", good).statusCode()).isEqualTo(200);
    }

    @Test
    void everyPageWorksOnADesktopAndAPhoneAndIsReachableByKeyboard() throws Exception {
        signIn(SecuredServer.ADMIN);
        // the health charts need two samples, one interval apart: the page is reloaded until they exist
        String[] pages = {"subscribers", "accounts/bob", "sessions", "catalog", "records/bob", "network", "health"};
        for (int width : new int[] {1280, 390}) {
            browser.resize(width, 800);
            for (String page : pages) {
                browser.driver().get(base + "/console/#/" + page);
                browser.waitUntil(page + " loaded", WAIT, () -> !browser.driver().findElements(By.cssSelector("main h1"))
                        .isEmpty() && browser.driver().findElements(By.cssSelector(".loading")).isEmpty());
                if (page.equals("health")) {
                    browser.waitUntil("the charts drawn", Duration.ofSeconds(20), () -> {
                        if (browser.driver().findElements(By.cssSelector("#chart-answers canvas")).isEmpty()) {
                            browser.driver().navigate().refresh();
                            sleep(1000);
                            return false;
                        }
                        return true;
                    });
                }
                Number overflow = (Number) ((JavascriptExecutor) browser.driver()).executeScript(
                        "return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow.intValue()).as(page + " fits " + width + " px without sideways scrolling")
                        .isLessThanOrEqualTo(0);
                shot(page.replace('/', '-') + "-" + width + ".png", "body");
                if (width == 1280) {
                    assertKeyboardReachable(page);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Every visible link, button and field is reached by Tab, in turn. */
    private void assertKeyboardReachable(String page) {
        JavascriptExecutor js = (JavascriptExecutor) browser.driver();
        @SuppressWarnings("unchecked")
        List<String> focusable = (List<String>) js.executeScript("""
                const all = [...document.querySelectorAll('a[href], button, input, select, textarea')]
                  .filter(e => !e.disabled && e.offsetParent !== null);
                all.forEach((e, i) => e.dataset.k = String(i));
                return all.map(e => e.dataset.k);""");
        js.executeScript("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
        Set<String> reached = new LinkedHashSet<>();
        for (int i = 0; i < focusable.size() + 20 && reached.size() < focusable.size(); i++) {
            new Actions(browser.driver()).sendKeys(Keys.TAB).perform();
            Object k = js.executeScript("return document.activeElement && document.activeElement.dataset.k");
            if (k != null) {
                reached.add(k.toString());
            }
        }
        assertThat(reached).as(page + ": elements reached by Tab").containsExactlyInAnyOrderElementsOf(focusable);
    }

    /**
     * The one console error a test provoked on purpose (Chromium logs a refused request as a failed
     * load), waited for, since the log may get it a moment after the page has its answer; any other
     * error with it fails the test.
     */
    private String expectedConsoleError() {
        List<String> errors = new ArrayList<>();
        browser.waitUntil("the expected console error", WAIT, () -> {
            errors.addAll(browser.consoleErrors());
            return !errors.isEmpty();
        });
        sleep(200); // anything else it came with
        errors.addAll(browser.consoleErrors());
        assertThat(errors).as("exactly one error, the refusal provoked").hasSize(1);
        return errors.getFirst();
    }

    /** A screenshot with the element of interest scrolled to the top of the view. */
    private void shot(String name, String css) {
        ((JavascriptExecutor) browser.driver()).executeScript("document.querySelector(arguments[0]).scrollIntoView()", css);
        browser.screenshot(SHOTS.resolve(name));
    }

    private void signIn(String key) {
        browser.driver().get(base + "/console/");
        browser.driver().manage().deleteAllCookies();
        browser.driver().navigate().refresh();
        WebElement field = browser.waitFor(By.id("api-key"), WAIT);
        field.sendKeys(key);
        field.submit();
        browser.waitFor(By.cssSelector("header.top"), WAIT);
    }

    private void search(String term) {
        WebElement q = browser.waitFor(By.name("q"), WAIT);
        q.clear();
        q.sendKeys(term);
        q.submit();
    }

    private WebElement form(String name) {
        return browser.waitFor(By.cssSelector("form[name='" + name + "']"), WAIT);
    }

    private void fill(String formName, String field, String value) {
        WebElement input = formName == null ? browser.waitFor(By.name(field), WAIT)
                : form(formName).findElement(By.name(field));
        setText(input, value);
    }

    /** Sets a field as typing would (Preact listens to input events), even for long text. */
    private void setText(WebElement input, String value) {
        ((JavascriptExecutor) browser.driver()).executeScript("""
                const e = arguments[0];
                const proto = e.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
                Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, arguments[1]);
                e.dispatchEvent(new Event('input', { bubbles: true }));""", input, value);
    }

    private void submit(String formName) {
        form(formName).findElement(By.cssSelector("button[type='submit']")).click();
    }

    private String text(String css) {
        List<WebElement> found = browser.driver().findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    private List<String> buttonTexts() {
        return browser.driver().findElements(By.tagName("button")).stream().map(WebElement::getText).toList();
    }

    /** The balance the page shows for a unit (the Total column of Balances). */
    private long balance(String unit) {
        for (WebElement row : browser.driver().findElements(By.cssSelector("#balances tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            if (!cells.isEmpty() && cells.getFirst().getText().equals(unit)) {
                return Long.parseLong(cells.get(1).getText());
            }
        }
        return -1;
    }

    private long apiBalance(String unit) {
        for (JsonNode b : adminCall("GET", "/v1/accounts/bob", null).json().path("balances")) {
            if (b.path("unit").asText().equals(unit)) {
                return b.path("total").asLong();
            }
        }
        return -1;
    }

    /** A request from inside the page, as a script there (or one that got in) could make it. */
    private Map<?, ?> fetchFromPage(String method, String path, String json, boolean withToken) {
        return (Map<?, ?>) ((JavascriptExecutor) browser.driver()).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const headers = { 'Content-Type': 'application/json' };
                const go = (token) => fetch(arguments[1], { method: arguments[0], headers: token
                    ? { ...headers, 'X-CSRF-Token': token } : headers, body: arguments[2] })
                  .then(async r => done({ status: r.status, body: await r.text() }));
                if (arguments[3]) {
                  fetch('/console/api/session').then(r => r.json()).then(s => go(s.csrfToken));
                } else {
                  go(null);
                }""", method, path, json, withToken);
    }

    private SecuredServer.Reply adminCall(String method, String path, String json) {
        SecuredServer.Reply reply = new SecuredServer.Client(server.httpPort()).call(method, path, SecuredServer.ADMIN, json);
        assertThat(reply.status()).as(method + " " + path + ": " + reply.raw()).isBetween(200, 299);
        return reply;
    }

    private HttpResponse<String> withKey(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + SecuredServer.ADMIN).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> withCookie(String cookie, String method, String path, String body,
                                            Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Cookie", "credence_console=" + cookie).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

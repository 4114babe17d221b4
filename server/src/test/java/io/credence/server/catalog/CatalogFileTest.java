package io.credence.server.catalog;

import io.credence.rating.Catalog;
import io.credence.rating.NetworkType;
import io.credence.rating.RatingEngine;
import io.credence.rating.RatingRequest;
import io.credence.rating.Terminal;
import io.credence.rating.TerminalType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The example catalog reads and rates as documented; a bad edit is refused with file, line and reason. */
class CatalogFileTest {
    static final Path EXAMPLE = Path.of(System.getProperty("basedir", ".")).resolve("../examples/catalog.json");

    @TempDir
    Path dir;

    @Test
    void theExampleCatalogIsValidAndRatesItsRules() throws Exception {
        Catalog catalog = CatalogFile.read(EXAMPLE);
        RatingEngine engine = new RatingEngine(catalog);
        Terminal volte = new Terminal(NetworkType.LTE, TerminalType.PHONE, false);
        assertThat(engine.rate(new RatingRequest("voice", volte, volte, null, 0)))
                .isInstanceOf(RatingEngine.Decision.Free.class);
        assertThat(engine.rate(new RatingRequest("voice", new Terminal(NetworkType.FIXED, TerminalType.SET_TOP_BOX, false),
                null, null, 0))).isInstanceOf(RatingEngine.Decision.Denied.class);
        assertThat(engine.outlet("trunk-international").allows(500)).isFalse();
        assertThat(catalog.serviceOf(10).name()).isEqualTo("data");
        assertThat(catalog.terminalTypes().classify("8600001234567801", null)).isEqualTo(TerminalType.SET_TOP_BOX);
        assertThat(catalog.terminalTypes().classify("3590001234567801", null)).isEqualTo(TerminalType.WATCH);
        assertThat(catalog.terminalTypes().classify(null, "Linphone/5.2 (belle-sip)")).isEqualTo(TerminalType.SOFT_CLIENT);
        assertThat(catalog.terminalTypes().classify("99999999", "curl/8")).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"zone\": \"Europe/Berlin\"|\"zone\": \"Mars/Olympus\"|/zone: not a time zone",
            "\"rounding\": \"UP\", \"minimumCharge\": 20|\"rounding\": \"SIDEWAYS\", \"minimumCharge\": 20|is not one of",
            "\"charge\": \"sms\"|\"charge\": \"smz\"|no tariff smz",
            "\"block\": 1000000, \"price\": 2|\"block\": 0, \"price\": 2|must be a whole number >= 1",
            "\"trunk-national\": \"NO_CHECK\"|\"trunk-national\": \"MAYBE\"|must be \"NO_CHECK\" or",
            "\"callingTerminal\": [\"SET_TOP_BOX\"]|\"callingTerminal\": [\"TOASTER\"]|'TOASTER' is not one of",
            "\"from\": 35900000, \"to\": 35909999|\"from\": 35800000, \"to\": 35909999|overlaps tac[0]",
            "\"contains\": \"Linphone\", \"type\": \"SOFT_CLIENT\"|\"contains\": \"Linphone\", \"type\": \"FRIDGE\"|'FRIDGE' is not one of"})
    void aBadEditIsRefusedNamingTheLine(String from, String to, String reason) throws Exception {
        String text = Files.readString(EXAMPLE);
        assertThat(text).contains(from);
        String bad = text.replace(from, to);
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, bad);
        int line = bad.substring(0, bad.indexOf(to)).split("\n", -1).length;
        assertThatThrownBy(() -> CatalogFile.read(file)).isInstanceOf(CatalogFile.Invalid.class)
                .hasMessageContaining(reason)
                .satisfies(e -> {
                    String location = e.getMessage().substring(0, e.getMessage().indexOf(": "));
                    int reported = Integer.parseInt(location.substring(location.lastIndexOf(':') + 1));
                    assertThat(reported).as(e.getMessage()).isBetween(line - 3, line);
                });
    }

    @Test
    void aTieBetweenRulesNamesTheRuleAndItsLine() throws Exception {
        String text = Files.readString(EXAMPLE).replace(
                ", \"callingTerminal\": [\"PHONE\", \"WATCH\", \"SOFT_CLIENT\", \"PC\", \"IOT\"]", "");
        // a roaming set-top box would now match both the roaming rule and the set-top box rule
        Path file = dir.resolve("tie.json");
        Files.writeString(file, text);
        assertThatThrownBy(() -> CatalogFile.read(file)).hasMessageContaining("ties with rule")
                .hasMessageContaining("tie.json:");
    }
}

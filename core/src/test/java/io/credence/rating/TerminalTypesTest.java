package io.credence.rating;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a request's device becomes a terminal type: the IMEI's TAC (its first 8 digits) against the
 * catalog's ranges, inclusive at both ends, then User-Agent substrings in the catalog's order, any
 * case; and the table's own checks (valid ranges, no TAC in two ranges, non-blank substrings).
 */
class TerminalTypesTest {
    /** Phones 35209900..35209999, watches 35210000..35210099, IoT modules from TAC 0 to 99. */
    private final TerminalTypes types = new TerminalTypes(
            List.of(new TerminalTypes.TacRange(35_209_900, 35_209_999, TerminalType.PHONE),
                    new TerminalTypes.TacRange(35_210_000, 35_210_099, TerminalType.WATCH),
                    new TerminalTypes.TacRange(0, 99, TerminalType.IOT)),
            List.of(new TerminalTypes.UserAgent("Watch", TerminalType.WATCH),
                    new TerminalTypes.UserAgent("Android", TerminalType.PHONE),
                    new TerminalTypes.UserAgent("SIP-Client", TerminalType.SOFT_CLIENT)));

    @ParameterizedTest(name = "IMEI {0}: {1}")
    @CsvSource({
            // 15-digit IMEIs: only the first 8 digits count
            "352099001234567,  PHONE",
            "352099991234567,  PHONE",
            "352098991234567,  -",
            "352100001234567,  WATCH",
            "352100991234567,  WATCH",
            "352101001234567,  -",
            // 16-digit IMEISV, and a bare 8-digit TAC
            "3520995012345678, PHONE",
            "35209950,         PHONE",
            // TAC 0 and the last TAC of a range starting at 0
            "000000001234567,  IOT",
            "000000991234567,  IOT",
            "000001001234567,  -",
            // too short to hold a TAC, or not digits within the first 8 characters
            "3520995,          -",
            "3520990/1234567,  -",
            "3520990:1234567,  -",
            "ABCDEFGH1234567,  -",
            "0000000A1234567,  -",
            // characters after the TAC are not looked at
            "35209950ABCDEFG,  PHONE",
    })
    void theTacIsTheFirstEightDigitsAndRangesIncludeBothEnds(String imei, String type) {
        assertThat(types.classify(imei, null)).isEqualTo(type.equals("-") ? null : TerminalType.valueOf(type));
    }

    @ParameterizedTest(name = "User-Agent \"{0}\": {1}")
    @CsvSource({
            "'Mozilla/5.0 (Linux; Android 14; SM-R960) Watch', WATCH",
            "'Mozilla/5.0 (Linux; Android 14; Pixel 8)',       PHONE",
            "'ANDROID-DIALER/2.1',                             PHONE",
            "'galaxy watch6',                                  WATCH",
            "'acme sip-client 4.2',                            SOFT_CLIENT",
            "'curl/8.5.0',                                     -",
    })
    void theFirstListedUserAgentSubstringThatOccursWinsInAnyCase(String userAgent, String type) {
        assertThat(types.classify(null, userAgent)).isEqualTo(type.equals("-") ? null : TerminalType.valueOf(type));
    }

    @Test
    void theImeiDecidesBeforeTheUserAgentAndTheUserAgentWhenTheImeiSaysNothing() {
        assertThat(types.classify("352099001234567", "Galaxy Watch")).isEqualTo(TerminalType.PHONE);
        // TAC in no range, too short, or not digits: the User-Agent decides
        assertThat(types.classify("352101001234567", "Galaxy Watch")).isEqualTo(TerminalType.WATCH);
        assertThat(types.classify("3520990", "Galaxy Watch")).isEqualTo(TerminalType.WATCH);
        assertThat(types.classify("ABCDEFGH1234567", "Android")).isEqualTo(TerminalType.PHONE);
    }

    @Test
    void neitherKnownIsUnknown() {
        assertThat(types.classify(null, null)).isNull();
        assertThat(types.classify("", "")).isNull();
        assertThat(types.classify("352101001234567", "")).isNull();
        assertThat(TerminalTypes.NONE.classify("352099001234567", "Android")).isNull();
    }

    @Test
    void userAgentSubstringsAreKeptInLowerCase() {
        assertThat(new TerminalTypes.UserAgent("SIP-Client", TerminalType.SOFT_CLIENT).contains())
                .isEqualTo("sip-client");
    }

    @Test
    void missingListsAreEmptyAndTheListsAreCopies() {
        TerminalTypes empty = new TerminalTypes(null, null);
        assertThat(empty.tacRanges()).isEmpty();
        assertThat(empty.userAgents()).isEmpty();
        assertThat(empty.classify("352099001234567", "Android")).isNull();

        List<TerminalTypes.TacRange> ranges = new ArrayList<>(
                List.of(new TerminalTypes.TacRange(35_209_900, 35_209_999, TerminalType.PHONE)));
        List<TerminalTypes.UserAgent> agents = new ArrayList<>(
                List.of(new TerminalTypes.UserAgent("watch", TerminalType.WATCH)));
        TerminalTypes table = new TerminalTypes(ranges, agents);
        ranges.clear();
        agents.clear();
        assertThat(table.tacRanges()).hasSize(1);
        assertThat(table.userAgents()).hasSize(1);
        assertThat(table.classify("352099001234567", null)).isEqualTo(TerminalType.PHONE);
        assertThat(table.classify(null, "watch")).isEqualTo(TerminalType.WATCH);
    }

    @ParameterizedTest(name = "TAC {0}..{1}")
    @CsvSource({"0, 0", "0, 99999999", "12345678, 12345678", "99999999, 99999999"})
    void aTacRangeLiesWithinEightDigitsAndMayHoldOneTac(long from, long to) {
        assertThat(new TerminalTypes.TacRange(from, to, TerminalType.IOT).to()).isEqualTo(to);
    }

    @ParameterizedTest(name = "TAC {0}..{1} of type {2}")
    @CsvSource({"-1, 10, PC", "0, 100000000, PC", "11, 10, PC", "10, 10, -"})
    void anInvalidTacRangeIsRefused(long from, long to, String type) {
        assertThatThrownBy(() -> new TerminalTypes.TacRange(from, to, type.equals("-") ? null : TerminalType.valueOf(type)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a TAC range needs 0 <= from <= to <= 99999999 and a type");
    }

    @Test
    void aUserAgentEntryNeedsASubstringAndAType() {
        for (String contains : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> new TerminalTypes.UserAgent(contains, TerminalType.PHONE))
                    .as("contains %s", contains).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a User-Agent entry needs a non-blank 'contains' and a type");
        }
        assertThatThrownBy(() -> new TerminalTypes.UserAgent("android", null))
                .hasMessage("a User-Agent entry needs a non-blank 'contains' and a type");
    }

    @Test
    void rangesThatShareATacAreRefusedInEitherOrder() {
        var low = new TerminalTypes.TacRange(0, 10, TerminalType.PHONE);
        var touching = new TerminalTypes.TacRange(10, 20, TerminalType.WATCH);
        assertThatThrownBy(() -> new TerminalTypes(List.of(low, touching), List.of()))
                .isInstanceOfSatisfying(CatalogException.class,
                        e -> assertThat(e.path()).isEqualTo("terminalTypes.tac[1]"))
                .hasMessage("terminalTypes.tac[1]: overlaps tac[0] (0..10): a TAC must name one type");
        assertThatThrownBy(() -> new TerminalTypes(List.of(touching, low), List.of()))
                .isInstanceOf(CatalogException.class)
                .hasMessage("terminalTypes.tac[1]: overlaps tac[0] (10..20): a TAC must name one type");
        // a range inside another, and a third range meeting the first
        var inside = new TerminalTypes.TacRange(3, 4, TerminalType.PC);
        assertThatThrownBy(() -> new TerminalTypes(List.of(low, inside), List.of()))
                .hasMessage("terminalTypes.tac[1]: overlaps tac[0] (0..10): a TAC must name one type");
        var far = new TerminalTypes.TacRange(50, 60, TerminalType.PC);
        assertThatThrownBy(() -> new TerminalTypes(List.of(low, far, inside), List.of()))
                .hasMessage("terminalTypes.tac[2]: overlaps tac[0] (0..10): a TAC must name one type");
    }

    @Test
    void adjacentRangesAreAcceptedInEitherOrder() {
        var low = new TerminalTypes.TacRange(0, 10, TerminalType.PHONE);
        var next = new TerminalTypes.TacRange(11, 20, TerminalType.WATCH);
        assertThatCode(() -> new TerminalTypes(List.of(low, next), List.of())).doesNotThrowAnyException();
        TerminalTypes table = new TerminalTypes(List.of(next, low), List.of());
        assertThat(table.classify("00000010", null)).isEqualTo(TerminalType.PHONE);
        assertThat(table.classify("00000011", null)).isEqualTo(TerminalType.WATCH);
    }
}

package io.credence.testkit;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequiredToolsTest {
    @Test
    void theListIsSeparatedByBlanksOrCommas() {
        assertThat(RequiredTools.parse(" tshark dumpcap,kamailio:ims_charging\n sipp ,")).containsExactly("tshark",
                "dumpcap", "kamailio:ims_charging", "sipp");
        assertThat(RequiredTools.parse(null)).isEmpty();
    }

    @Test
    void aToolIsCoveredByItsNameOrByItsProgram() {
        Set<String> required = Set.of("tshark", "kamailio", "freeDiameterd:dict_dcca");
        assertThat(RequiredTools.covers(required, "tshark")).isTrue();
        assertThat(RequiredTools.covers(required, "kamailio:ims_charging")).isTrue();
        assertThat(RequiredTools.covers(required, "freeDiameterd:dict_dcca")).isTrue();
        assertThat(RequiredTools.covers(required, "freeDiameterd:acl_wl")).as("a module does not cover its program's others")
                .isFalse();
        assertThat(RequiredTools.covers(required, "freeDiameterd")).isFalse();
        assertThat(RequiredTools.covers(required, "sipp")).isFalse();
    }

    @Test
    void aToolThatCannotWorkHereSkipsTheTestUnlessItIsRequired() {
        assertThatCode(() -> RequiredTools.assumeUsable(Set.of("dumpcap"), "dumpcap", true, "captures")).doesNotThrowAnyException();
        assertThatThrownBy(() -> RequiredTools.assumeUsable(Set.of(), "dumpcap", false, "cannot capture on lo"))
                .isInstanceOf(TestAbortedException.class).hasMessageContaining("cannot capture on lo");
        assertThatThrownBy(() -> RequiredTools.assumeUsable(Set.of("tshark", "dumpcap"), "dumpcap", false, "cannot capture on lo"))
                .isInstanceOf(AssertionError.class)
                .hasMessage("dumpcap is required here (CREDENCE_REQUIRED_TOOLS) but not usable: cannot capture on lo");
    }
}

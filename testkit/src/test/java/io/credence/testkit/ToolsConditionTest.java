package io.credence.testkit;

import io.credence.testkit.Reported.Outcome;
import io.credence.testkit.Reported.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RequiresTools} as surefire sees it, through the real JUnit Platform: with a tool missing
 * each test is reported skipped on its own, naming the tool, and never runs; with the tool required
 * it fails instead. {@code sh} stands for an installed tool; the samples are nested classes, which
 * surefire does not run by themselves.
 */
class ToolsConditionTest {
    static final String ABSENT = "credence-no-such-tool";
    static final List<String> RAN = new CopyOnWriteArrayList<>();

    @RequiresTools({"sh", ABSENT})
    static class NeedsAnAbsentTool {
        @Test
        void first() {
            RAN.add("first");
        }

        @Test
        void second() {
            RAN.add("second");
        }
    }

    @RequiresTools("sh")
    static class NeedsAShell {
        @Test
        void shellOnly() {
            RAN.add("shellOnly");
        }

        @Test
        @RequiresTools(ABSENT)
        void shellAndAnAbsentTool() {
            RAN.add("shellAndAnAbsentTool");
        }
    }

    @RequiresTools(ABSENT + ":module")
    static class NeedsAModuleOfAnAbsentProgram {
        @Test
        void loadsTheModule() {
            RAN.add("loadsTheModule");
        }
    }

    @BeforeEach
    void forget() {
        RAN.clear();
    }

    @Test
    void eachTestOfAClassWhoseToolIsMissingIsReportedSkippedNamingTheTool() {
        Map<String, Outcome> reported = Reported.run(NeedsAnAbsentTool.class, Map.of());

        Outcome skipped = new Outcome(Status.SKIPPED, "not installed: " + ABSENT);
        assertThat(reported).containsOnly(Map.entry("first()", skipped), Map.entry("second()", skipped),
                Map.entry("[container] ToolsConditionTest$NeedsAnAbsentTool", new Outcome(Status.SUCCESSFUL, "")));
        assertThat(RAN).isEmpty();
    }

    @Test
    void toolsNamedOnTheClassAndOnTheMethodAddUp() {
        Map<String, Outcome> reported = Reported.run(NeedsAShell.class, Map.of());

        assertThat(reported).containsEntry("shellOnly()", new Outcome(Status.SUCCESSFUL, ""))
                .containsEntry("shellAndAnAbsentTool()", new Outcome(Status.SKIPPED, "not installed: " + ABSENT));
        assertThat(RAN).containsExactly("shellOnly");
    }

    @Test
    void aRequiredToolThatIsMissingFailsEachTestInsteadOfSkippingIt() {
        Map<String, Outcome> reported = Reported.run(NeedsAnAbsentTool.class,
                Map.of(RequiredTools.PARAMETER, "tshark, " + ABSENT));

        assertThat(reported.get("first()").status()).isEqualTo(Status.FAILED);
        assertThat(reported.get("first()").detail()).contains("required here (CREDENCE_REQUIRED_TOOLS) but not installed: "
                + ABSENT);
        assertThat(reported.get("second()")).isEqualTo(reported.get("first()"));
        assertThat(RAN).isEmpty();
    }

    @Test
    void aRequiredProgramRequiresTheModulesOfItThatATestNames() {
        assertThat(Reported.run(NeedsAModuleOfAnAbsentProgram.class, Map.of()).get("loadsTheModule()"))
                .isEqualTo(new Outcome(Status.SKIPPED, "not installed: " + ABSENT + ":module"));
        assertThat(Reported.run(NeedsAModuleOfAnAbsentProgram.class, Map.of(RequiredTools.PARAMETER, ABSENT))
                .get("loadsTheModule()").status()).isEqualTo(Status.FAILED);
        assertThat(RAN).isEmpty();
    }

    @Test
    void theReasonSaysWhichDebianPackagesBringTheMissingTools() {
        assertThat(Tools.installHint(List.of("dumpcap", "text2pcap", "freeDiameterd:dict_dcca", "kamailio:ims_charging")))
                .isEqualTo("Debian: apt-get install tshark freediameter-extensions kamailio-ims-modules; .ci/run installs them");
        assertThat(Tools.installHint(List.of("tshark", ABSENT))).as("no half a hint").isEmpty();
    }
}

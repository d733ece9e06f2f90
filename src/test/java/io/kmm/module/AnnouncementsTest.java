package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kmm.api.v1alpha1.BuildStatus;
import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.status.BuildCounted;
import io.kmm.status.Conditions;
import io.kmm.status.Reason;
import io.kmm.status.Warning;

class AnnouncementsTest {

    static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    static ModuleStatus status(String degradedMessage, String buildPhase) {
        ModuleStatus s = new ModuleStatus();
        s.getConditions().add(Conditions.of(Conditions.DEGRADED, degradedMessage != null,
                degradedMessage != null ? Reason.INVALID_KERNEL_MAPPING : Reason.AS_EXPECTED,
                degradedMessage == null ? "No errors" : degradedMessage, 1L, null, T));
        if (buildPhase != null) {
            KernelStatus k = new KernelStatus();
            k.setKernel("6.5.0");
            k.setImage("reg/mod:6.5.0");
            k.setBuild(new BuildStatus(buildPhase, "Job j", null));
            s.getKernels().add(k);
        }
        return s;
    }

    @Test
    void eachNewThingIsToldOnce() {
        List<Announcements.Announcement> first = Announcements.between(null, status("spec.kernelMappings[0]: bad",
                "Running"), List.of(Warning.MISSING_PRE_STOP));
        assertThat(first).extracting(Announcements.Announcement::reason)
                .containsExactly(Reason.INVALID_KERNEL_MAPPING, Reason.MISSING_PRE_STOP);
        assertThat(first).allSatisfy(a -> assertThat(a.warning()).isTrue());

        ModuleStatus before = status("spec.kernelMappings[0]: bad", "Running");
        before.getWarnings().add(Warning.MISSING_PRE_STOP.message());
        assertThat(Announcements.between(before, status("spec.kernelMappings[0]: bad", "Running"),
                List.of(Warning.MISSING_PRE_STOP))).as("nothing new").isEmpty();
    }

    @Test
    void finishedBuildsAreToldAndCounted() {
        var succeeded = Announcements.between(status(null, "Running"), status(null, "Succeeded"), List.of());
        assertThat(succeeded).singleElement().satisfies(a -> {
            assertThat(a.reason()).isEqualTo(Reason.BUILD_SUCCEEDED);
            assertThat(a.warning()).isFalse();
            assertThat(a.message()).isEqualTo("Job j built reg/mod:6.5.0 for kernel 6.5.0");
            assertThat(a.counted()).isEqualTo(BuildCounted.SUCCEEDED);
        });
        var failed = Announcements.between(status(null, "Running"), status(null, "Failed"), List.of());
        assertThat(failed).singleElement().satisfies(a -> {
            assertThat(a.reason()).isEqualTo(Reason.BUILD_FAILED);
            assertThat(a.counted()).isEqualTo(BuildCounted.FAILED);
        });
        assertThat(Announcements.between(status(null, "Failed"), status(null, "Failed"), List.of())).isEmpty();
    }

    @Test
    void aChangedErrorIsToldAgain() {
        assertThat(Announcements.between(status("a", null), status("b", null), List.of()))
                .extracting(Announcements.Announcement::message).containsExactly("b");
    }
}

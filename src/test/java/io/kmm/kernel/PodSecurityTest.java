package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kmm.TestModules;
import io.kmm.api.v1alpha1.ModuleSpec;

/** What the admin's settings loosen, and nothing else (the refusals themselves are cases of io.kmm.BadModules). */
class PodSecurityTest {

    static ModuleSpec spec() {
        return TestModules.module("ns", "m", Map.of(), TestModules.regexp("^.+$", "r/i:t")).getSpec();
    }

    static List<String> problems(ModuleSpec spec, SecurityPolicy policy) {
        return MappingValidation.validate(spec, policy, "ns").podProblems().stream().map(Object::toString).toList();
    }

    static SecurityPolicy policy(boolean controlPlane, boolean broad, List<String> extra) {
        return new SecurityPolicy(List.of("*"), controlPlane, broad, extra, null);
    }

    @Test
    void broadTolerationsNeedTheAdmin() {
        ModuleSpec spec = spec();
        spec.setTolerations(List.of(new TolerationBuilder().withOperator("Exists").build()));
        assertThat(problems(spec, SecurityPolicy.DEFAULT)).singleElement().asString()
                .contains("kmm.security.broad-tolerations");
        assertThat(problems(spec, policy(false, true, List.of()))).isEmpty();
    }

    @Test
    void controlPlaneTaintsAndNodesNeedTheAdmin() {
        ModuleSpec spec = spec();
        spec.setTolerations(List.of(new TolerationBuilder().withKey("node-role.kubernetes.io/master")
                .withOperator("Exists").build()));
        assertThat(problems(spec, SecurityPolicy.DEFAULT)).singleElement().asString()
                .contains("kmm.security.control-plane-nodes");
        assertThat(problems(spec, policy(true, false, List.of()))).isEmpty();
        assertThat(SecurityPolicy.DEFAULT.nodeAllowed(Map.of("node-role.kubernetes.io/control-plane", ""))).isFalse();
        assertThat(SecurityPolicy.DEFAULT.nodeAllowed(Map.of("node-role.kubernetes.io/worker", ""))).isTrue();
        assertThat(policy(true, false, List.of()).nodeAllowed(Map.of("node-role.kubernetes.io/master", "")))
                .isTrue();
    }

    @Test
    void extraHostPathsStayReadOnly() {
        ModuleSpec spec = spec();
        spec.setAdditionalVolumes(List.of(new VolumeBuilder().withName("conf").withNewHostPath()
                .withPath("/etc/modprobe.d").endHostPath().build()));
        spec.getModuleLoader().setVolumeMounts(List.of(new VolumeMountBuilder().withName("conf")
                .withMountPath("/etc/modprobe.d").withReadOnly(true).build()));
        assertThat(problems(spec, SecurityPolicy.DEFAULT)).singleElement().asString().contains("is outside the directories")
                .doesNotContain("readOnly");
        SecurityPolicy allowed = policy(false, false, List.of("/etc/modprobe.d"));
        assertThat(problems(spec, allowed)).isEmpty();
        spec.getModuleLoader().getVolumeMounts().get(0).setReadOnly(false);
        assertThat(problems(spec, allowed)).singleElement().asString().contains("must be mounted readOnly: true");
    }

    @Test
    void namespacesOutsideTheListGetNothing() {
        SecurityPolicy only = new SecurityPolicy(List.of("drivers", "gpu"), false, false, List.of(), null);
        assertThat(only.namespaceAllowed("drivers")).isTrue();
        assertThat(only.namespaceAllowed("default")).isFalse();
        assertThat(SecurityPolicy.DEFAULT.namespaceAllowed("anything")).isTrue();
    }
}

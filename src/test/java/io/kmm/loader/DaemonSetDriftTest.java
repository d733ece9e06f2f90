package io.kmm.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.meta.Labels;

class DaemonSetDriftTest {

    static final ObjectMapper MAPPER = new ObjectMapper();

    static DaemonSet desired() {
        return ModuleLoaderDaemonSets.desired(ModuleLoaderDaemonSetsTest.sample(), ModuleLoaderDaemonSetsTest.KERNEL,
                Labels.KERNEL_VERSION);
    }

    /** What the API server returns: the same object with defaults, status and server fields added. */
    static DaemonSet asServerReturnsIt(DaemonSet desired) {
        DaemonSet actual = MAPPER.convertValue(desired, DaemonSet.class);
        actual.getMetadata().setResourceVersion("42");
        actual.getMetadata().setGeneration(3L);
        actual.getMetadata().setUid("uid");
        actual.getMetadata().getLabels().put("team", "someone-else");
        actual.getMetadata().getAnnotations().put("deprecated.daemonset.template.generation", "3");
        actual.getSpec().setRevisionHistoryLimit(10);
        var pod = actual.getSpec().getTemplate().getSpec();
        // the Priority admission plugin resolves the class
        pod.setPriority(2000001000);
        pod.setPreemptionPolicy("PreemptLowerPriority");
        pod.setRestartPolicy("Always");
        pod.setDnsPolicy("ClusterFirst");
        pod.setTerminationGracePeriodSeconds(30L);
        pod.setSchedulerName("default-scheduler");
        var c = pod.getContainers().get(0);
        c.setTerminationMessagePath("/dev/termination-log");
        c.setImagePullPolicy("IfNotPresent");
        pod.getVolumes().get(0).getHostPath().setType("Directory");
        actual.setStatus(new io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder().withNumberAvailable(3)
                .build());
        return actual;
    }

    /** Someone changed it: the API server gives it a new resourceVersion. */
    static DaemonSet edited(DaemonSet actual) {
        actual.getMetadata().setResourceVersion(Long.toString(System.nanoTime()));
        return actual;
    }

    @Test
    void serverDefaultsAreNotDrift() {
        DaemonSet desired = desired();
        assertThat(DaemonSetDrift.upToDate(desired, asServerReturnsIt(desired))).isTrue();
    }

    @Test
    void anEditedImageIsDrift() {
        DaemonSet desired = desired();
        DaemonSet actual = asServerReturnsIt(desired);
        assertThat(DaemonSetDrift.upToDate(desired, actual)).isTrue();
        actual.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("someone/else:latest");
        assertThat(DaemonSetDrift.upToDate(desired, edited(actual))).isFalse();
    }

    @Test
    void aRemovedLabelIsDrift() {
        DaemonSet desired = desired();
        DaemonSet actual = asServerReturnsIt(desired);
        assertThat(DaemonSetDrift.upToDate(desired, actual)).isTrue();
        actual.getMetadata().getLabels().remove(Labels.MANAGED_BY);
        assertThat(DaemonSetDrift.upToDate(desired, edited(actual))).isFalse();
    }

    @Test
    void aChangedDesiredStateIsDriftEvenWhenItOnlyRemovesSomething() {
        DaemonSet before = desired();
        DaemonSet actual = asServerReturnsIt(before);
        var module = ModuleLoaderDaemonSetsTest.sample();
        module.getSpec().setTolerations(null);
        DaemonSet after = ModuleLoaderDaemonSets.desired(module, ModuleLoaderDaemonSetsTest.KERNEL,
                Labels.KERNEL_VERSION);
        assertThat(DaemonSetDrift.upToDate(after, actual)).isFalse();
    }

    @Test
    void canonicalisedQuantitiesAreNotDrift() {
        var module = ModuleLoaderDaemonSetsTest.sample();
        module.getSpec().getModuleLoader().setResources(new ResourceRequirementsBuilder()
                .withRequests(java.util.Map.of("cpu", new Quantity("1000m"))).build());
        DaemonSet desired = ModuleLoaderDaemonSets.desired(module, ModuleLoaderDaemonSetsTest.KERNEL,
                Labels.KERNEL_VERSION);
        DaemonSet actual = asServerReturnsIt(desired);
        actual.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests()
                .put("cpu", new Quantity("1"));
        assertThat(DaemonSetDrift.upToDate(desired, edited(actual))).isTrue();
    }

    @Test
    void arraysMustMatchElementByElement() {
        var a = MAPPER.valueToTree(List.of(1, 2));
        var b = MAPPER.valueToTree(List.of(1, 2, 3));
        assertThat(DaemonSetDrift.contains(a, b)).isFalse();
        assertThat(DaemonSetDrift.contains(b, a)).isFalse();
    }

    /** The answer for an unchanged pair is remembered; a changed object (new resourceVersion) is compared again. */
    @Test
    void theAnswerForTheSameStoredObjectAndDesiredContentIsRemembered() {
        DaemonSet desired = desired();
        DaemonSet actual = asServerReturnsIt(desired);
        actual.getMetadata().setUid("remembered");
        assertThat(DaemonSetDrift.upToDate(desired, actual)).isTrue();
        // the same resourceVersion is the same content (an in-memory change the API server never made is not seen)
        actual.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("someone/else:latest");
        assertThat(DaemonSetDrift.upToDate(desired, actual)).isTrue();
        assertThat(DaemonSetDrift.upToDate(desired, edited(actual))).isFalse();
        // without a uid or a resourceVersion nothing is remembered
        DaemonSet unstored = asServerReturnsIt(desired);
        unstored.getMetadata().setResourceVersion(null);
        assertThat(DaemonSetDrift.upToDate(desired, unstored)).isTrue();
        unstored.getMetadata().getLabels().remove(Labels.MANAGED_BY);
        assertThat(DaemonSetDrift.upToDate(desired, unstored)).isFalse();
    }
}

package io.kmm.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kmm.meta.Labels;

class NodeLabellerLabelsTest {

    static Pod pod(String ns, String module, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(module + "-x").withNamespace(ns).withUid(ns + "/" + module)
                .withLabels(Map.of(Labels.MODULE_NAME, module, Labels.ROLE, Labels.ROLE_MODULE_LOADER)).endMetadata()
                .withNewSpec().withNodeName("n1").endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build();
    }

    @Test
    void labelsFollowReadyPodsAndNothingElse() {
        String a = Labels.moduleReady("drivers", "a");
        String b = Labels.moduleReady("drivers", "b");
        assertThat(a).isEqualTo("ooto.sigs.k8s.io/drivers.a.ready");
        Map<String, String> labels = new HashMap<>(Map.of("other", "x", Labels.KERNEL_VERSION, "6.1.0", b, "true"));

        Map<String, String> owned = Map.of("drivers/a", "a", "drivers/c", "c");
        Map<String, String> change = NodeLabeller.readyChange(labels, Set.of(pod("drivers", "a", true),
                pod("drivers", "c", false)), owned);
        assertThat(change).containsOnlyKeys(a, b).containsEntry(a, "true").containsEntry(b, null);

        labels.put(a, "true");
        labels.remove(b);
        assertThat(NodeLabeller.readyChange(labels, Set.of(pod("drivers", "a", true)), owned))
                .as("as it should be").isEmpty();
        Pod deleting = pod("drivers", "a", true);
        deleting.getMetadata().setDeletionTimestamp("2026-12-02T10:00:00Z");
        assertThat(NodeLabeller.readyChange(labels, Set.of(deleting), owned)).containsEntry(a, null);
    }

    static io.fabric8.kubernetes.api.model.apps.DaemonSet loader(String ns, String name, String uid,
            String moduleKind) {
        return new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata().withName(name)
                .withNamespace(ns).withUid(uid).addNewOwnerReference().withApiVersion("ooto.sigs.k8s.io/v1alpha1")
                .withKind(moduleKind).withName("a-module-whose-name-is-longer-than-a-label-value-may-be-so-it-is-"
                        + "normalised-on-labels").withUid("module-uid").withController(true).endOwnerReference()
                .endMetadata().build();
    }

    static Pod controlledBy(Pod pod, String dsName, String dsUid) {
        pod.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion("apps/v1").withKind("DaemonSet").withName(dsName).withUid(dsUid).withController(true)
                .build()));
        return pod;
    }

    @Test
    void onlyPodsOfALoaderDaemonSetThatAModuleControlsCountAndTheModulesOwnNameIsUsed() {
        var ds = loader("drivers", "mod-6-1-0-abc", "ds-uid", "Module");
        Pod real = controlledBy(pod("drivers", "normalised", true), "mod-6-1-0-abc", "ds-uid");
        assertThat(LoaderDaemonSets.moduleOf(real, ds)).hasValue(ds.getMetadata().getOwnerReferences().get(0)
                .getName());
        // labels alone (a pod anyone could create), or an owner that is not the DaemonSet the cache knows
        assertThat(LoaderDaemonSets.moduleOf(pod("drivers", "normalised", true), ds)).isEmpty();
        assertThat(LoaderDaemonSets.moduleOf(controlledBy(pod("drivers", "x", true), "mod-6-1-0-abc", "forged"), ds))
                .isEmpty();
        assertThat(LoaderDaemonSets.moduleOf(real, null)).isEmpty();
        // a DaemonSet with KMM's labels that no Module controls
        assertThat(LoaderDaemonSets.moduleOf(real, loader("drivers", "mod-6-1-0-abc", "ds-uid", "Deployment")))
                .isEmpty();
        // pruning keeps what the check reads
        assertThat(LoaderDaemonSets.moduleOf(LoaderPods.prune(real), io.kmm.module.PrunedStores.prune(ds))).isPresent();

        Map<String, String> change = NodeLabeller.readyChange(Map.of(), Set.of(real),
                Map.of(real.getMetadata().getUid(), LoaderDaemonSets.moduleOf(real, ds).orElseThrow()));
        String key = Labels.moduleReady("drivers", ds.getMetadata().getOwnerReferences().get(0).getName());
        assertThat(change).containsOnlyKeys(key);
        assertThat(key.substring(key.indexOf('/') + 1)).hasSizeLessThanOrEqualTo(63);
        assertThat(NodeLabeller.readyChange(Map.of(), Set.of(pod("drivers", "forged", true)), Map.of())).isEmpty();
    }

    @Test
    void onlyTheLoaderOfTheNodesCurrentKernelCounts() {
        var ds = loader("drivers", "mod-6-1-0-abc", "ds-uid", "Module");
        ds.getMetadata().setLabels(Labels.of("mod", Labels.ROLE_MODULE_LOADER, "6.1.0"));
        assertThat(LoaderDaemonSets.servesKernel(ds, "6.1.0")).isTrue();
        assertThat(LoaderDaemonSets.servesKernel(ds, "6.2.0")).as("the node booted another kernel").isFalse();
        assertThat(LoaderDaemonSets.servesKernel(ds, null)).as("no kernel label").isFalse();
        ds.getMetadata().setLabels(null);
        assertThat(LoaderDaemonSets.servesKernel(ds, "6.1.0")).isFalse();
    }

    @Test
    void longNamesStayValidLabelKeysAndApart() {
        String ns = "a-rather-long-namespace-name-for-drivers";
        String k1 = Labels.moduleReady(ns, "a-module-with-a-long-name-number-one");
        String k2 = Labels.moduleReady(ns, "a-module-with-a-long-name-number-two");
        assertThat(k1).isNotEqualTo(k2).endsWith(".ready");
        assertThat(k1.substring(k1.indexOf('/') + 1)).hasSizeLessThanOrEqualTo(63)
                .matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
        assertThat(Labels.isModuleReady(k1)).isTrue();
        assertThat(Labels.isModuleReady(Labels.KERNEL_VERSION)).isFalse();
    }

    @Test
    void onlyReadinessNodeAndDeletionChangesPass() {
        Pod before = pod("d", "a", false);
        assertThat(LoaderPods.relevantChange(pod("d", "a", true), before)).isTrue();
        assertThat(LoaderPods.relevantChange(pod("d", "a", false), before)).isFalse();
        Pod pruned = LoaderPods.prune(pod("d", "a", true));
        assertThat(LoaderPods.ready(pruned)).isTrue();
        assertThat(LoaderPods.nodeName(pruned)).isEqualTo("n1");
    }

    @Test
    void nodeUpdatesPassOnlyWhenTheKernelOrALabelOfKmmChanged() {
        io.fabric8.kubernetes.api.model.Node before = io.kmm.TestModules.node("n1", "6.1.0", Map.of("pool", "a"));
        io.fabric8.kubernetes.api.model.Node heartbeat = io.kmm.TestModules.node("n1", "6.1.0", Map.of("pool", "a"));
        io.fabric8.kubernetes.api.model.Node otherLabel = io.kmm.TestModules.node("n1", "6.1.0",
                Map.of("pool", "b"));
        io.fabric8.kubernetes.api.model.Node ready = io.kmm.TestModules.node("n1", "6.1.0",
                Map.of("pool", "a", Labels.moduleReady("d", "m"), "true"));
        NodeLabeller.Filter filter = new NodeLabeller.Filter();
        assertThat(filter.accept(heartbeat, before)).isFalse();
        assertThat(filter.accept(otherLabel, before)).isFalse();
        assertThat(filter.accept(ready, before)).isTrue();
        assertThat(filter.accept(before, ready)).as("someone removed it").isTrue();
        assertThat(filter.accept(io.kmm.TestModules.node("n1", "6.2.0", Map.of("pool", "a")), before))
                .as("a new kernel").isTrue();
        assertThat(filter.accept(io.kmm.TestModules.node("n1", "6.1.0",
                Map.of("pool", "a", Labels.KERNEL_VERSION, "6.1.0")), before)).as("the kernel label").isTrue();
        assertThat(filter.accept(io.kmm.TestModules.node("n1", "6.1.0",
                Map.of("pool", "a", Labels.moduleKey("d", "m", Labels.VERSION_SUFFIX), "v2")), before))
                .as("a version label").isTrue();
        assertThat(filter.accept(io.kmm.TestModules.node("n1", "6.1.0",
                Map.of("pool", "a", Labels.NFD_KERNEL_VERSION, "6.1.0")), before)).as("NFD's kernel label").isTrue();
    }
}

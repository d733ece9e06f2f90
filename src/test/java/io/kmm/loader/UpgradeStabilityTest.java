package io.kmm.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;

/**
 * What an operator upgrade does to running loaders, held fixed: the DaemonSets this version wants for the design's
 * sample, compared with what the previous version wanted ({@value #GOLDEN}).
 * <ul>
 * <li>A different <b>pod template</b> means that upgrading the operator restarts every loader and device-plugin pod
 * (the DaemonSet controller rolls them; modules are unloaded and loaded again where the loader unloads on stop).</li>
 * <li>A different <b>DaemonSet</b> (labels, annotations, spec) with the same template means one update per DaemonSet
 * right after the upgrade, and no pod restart.</li>
 * </ul>
 * When this test fails on purpose, say so in docs/upgrade.md ("Versions that restart loaders") and record the new
 * values in the golden file.
 */
class UpgradeStabilityTest {

    static final String GOLDEN = "/upgrade/desired-daemonsets.properties";
    static final ObjectMapper SORTED = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS,
            true);

    static Module sample() throws Exception {
        Module m = Serialization.unmarshal(Files.readString(Path.of("docs/examples/module-sample.yaml")), Module.class);
        m.getSpec().setModprobe(null); // the sample as the previous version's users wrote it
        m.getMetadata().setNamespace("drivers");
        m.getMetadata().setUid("3f1c4b5e-0000-4000-8000-000000000001");
        return m;
    }

    static TreeMap<String, String> current() throws Exception {
        Module m = sample();
        String kernel = "5.16.11-200.fc35.x86_64";
        KernelResolution.Resolved fedora = new KernelResolution.Resolved(kernel, LabelValues.normalise(kernel), 0,
                "quay.io/vendor/module-sample:fedora-" + kernel, null);
        DaemonSet loader = ModuleLoaderDaemonSets.desired(m, fedora, Labels.KERNEL_VERSION);
        DaemonSet plugin = DevicePluginDaemonSets.desired(m);
        TreeMap<String, String> values = new TreeMap<>();
        values.put("loader.daemonset", DesiredHash.of(loader));
        values.put("loader.pod-template", hash(loader.getSpec().getTemplate()));
        values.put("device-plugin.daemonset", DesiredHash.of(plugin));
        values.put("device-plugin.pod-template", hash(plugin.getSpec().getTemplate()));
        // the sample as docs/examples has it, with spec.modprobe: the generated load and unload steps
        Module withModprobe = Serialization.unmarshal(Files.readString(Path.of("docs/examples/module-sample.yaml")),
                Module.class);
        withModprobe.getMetadata().setNamespace("drivers");
        withModprobe.getMetadata().setUid(m.getMetadata().getUid());
        DaemonSet generated = ModuleLoaderDaemonSets.desired(withModprobe, fedora, Labels.KERNEL_VERSION);
        values.put("modprobe-loader.pod-template", hash(generated.getSpec().getTemplate()));
        return values;
    }

    static String hash(Object value) throws Exception {
        return LabelValues.hash(SORTED.writeValueAsString(value), 16);
    }

    @Test
    void anUpgradeNeitherRestartsLoadersNorRewritesTheirDaemonSets() throws Exception {
        Properties golden = new Properties();
        try (InputStream in = UpgradeStabilityTest.class.getResourceAsStream(GOLDEN)) {
            golden.load(in);
        }
        TreeMap<String, String> expected = new TreeMap<>();
        golden.forEach((k, v) -> expected.put((String) k, (String) v));
        assertThat(current()).as("the DaemonSets this version wants differ from the previous version's: an upgrade "
                + "restarts loader pods (pod-template) or rewrites every DaemonSet once (daemonset). If intended, "
                + "say so in docs/upgrade.md and update src/test/resources" + GOLDEN).isEqualTo(expected);
    }
}

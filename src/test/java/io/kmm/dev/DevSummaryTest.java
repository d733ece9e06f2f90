package io.kmm.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.UnmatchedKernel;
import io.kmm.status.Conditions;

class DevSummaryTest {

    static KernelStatus kernel(String kernel, String image, String error) {
        KernelStatus k = new KernelStatus();
        k.setKernel(kernel);
        k.setImage(image);
        k.setNodes(2);
        k.setAvailable(1);
        k.setDaemonSet(image == null ? null : "mod-" + kernel.replace('.', '-'));
        k.setError(error);
        return k;
    }

    @Test
    void longMessagesGoUnderTheTableAndTheColumnsStayAligned() {
        String longError = "image quay.io/vendor/a-rather-long-repository-name/module:6.7.0-custom was not found in "
                + "the registry and the mapping has no build section, so no loader can run on the 2 nodes of this "
                + "kernel";
        ModuleStatus status = new ModuleStatus();
        status.setKernels(List.of(kernel("5.14.0-1.el9.x86_64", "quay.io/vendor/module:5.14.0-1.el9.x86_64", null),
                kernel("6.7.0-custom", null, longError),
                kernel("6.8.0-31-generic", "registry.example.com/a/much/longer/path/to/the/module/image:6.8", null)));
        status.setUnmatchedKernels(List.of(new UnmatchedKernel("4.18.0-old", 3)));
        Instant now = Instant.parse("2026-12-02T00:00:00Z");
        String readyMessage = "1 of 6 targeted nodes run an available module loader; 3 selected node(s) skipped "
                + "because no kernel mapping matches their kernel";
        status.setConditions(List.of(Conditions.of(Conditions.READY, false, "LoadersNotAvailable", readyMessage, 1L,
                null, now), Conditions.of(Conditions.DEGRADED, true, "ImageNotFound", "1 kernel has no image", 1L,
                        null, now)));

        String table = DevSummary.table("ns/mod", status);

        List<String> lines = table.lines().toList();
        assertThat(lines.get(0)).isEqualTo("Module ns/mod  Ready=False");
        List<String> rows = lines.subList(1, 6);
        String header = rows.get(0);
        assertThat(header.trim().split("\\s+")).containsExactly("KERNEL", "IMAGE", "NODES", "AVAILABLE", "DAEMONSET",
                "BUILD");
        // every row's cells start where the header's columns start
        int image = header.indexOf("IMAGE");
        int daemonSet = header.indexOf("DAEMONSET");
        int nodesEnd = header.indexOf("NODES") + "NODES".length();
        for (String row : rows.subList(1, rows.size())) {
            assertThat(row.charAt(image - 1)).as(row).isEqualTo(' ');
            assertThat(row.charAt(image)).as(row).isNotEqualTo(' ');
            assertThat(row.charAt(daemonSet)).as(row).isNotEqualTo(' ');
            assertThat(row.charAt(daemonSet - 1)).as(row).isEqualTo(' ');
            assertThat(row.charAt(nodesEnd - 1)).as("NODES right-aligned: " + row).isNotEqualTo(' ');
        }
        assertThat(rows.get(2)).contains("error [1]").doesNotContain("was not found");
        // the messages, in full, under the table
        assertThat(lines.subList(6, lines.size())).containsExactly("  Ready: " + readyMessage,
                "  Degraded: 1 kernel has no image", "  [1] 6.7.0-custom: " + longError);
    }
}

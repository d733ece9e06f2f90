package io.kmm.dev;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.UnmatchedKernel;
import io.kmm.status.Conditions;
import io.kmm.status.ModuleReconciled;
import io.quarkus.arc.profile.IfBuildProfile;

/** Dev mode only: prints a table of what a reconcile decided for a Module, whenever it changed. */
@Singleton
@IfBuildProfile("dev")
public class DevSummary {

    private static final Logger LOG = Logger.getLogger(DevSummary.class);
    private final Map<String, String> lastPrinted = new ConcurrentHashMap<>();

    void onReconciled(@Observes ModuleReconciled event) {
        String table = table(event.namespace() + "/" + event.name(), event.status());
        if (!table.equals(lastPrinted.put(event.namespace() + "/" + event.name(), table))) {
            LOG.info("\n" + table);
        }
    }

    /**
     * The table: one row per kernel, columns as wide as their widest cell (like kubectl), so they stay aligned;
     * messages (errors, Ready and Degraded) go under the table, where their length does not matter.
     */
    static String table(String module, ModuleStatus status) {
        List<String[]> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        rows.add(new String[] { "KERNEL", "IMAGE", "NODES", "AVAILABLE", "DAEMONSET", "BUILD" });
        for (KernelStatus k : status.getKernels()) {
            String image = k.getImage() == null ? "-" : k.getImage();
            if (k.getError() != null) {
                notes.add(k.getKernel() + ": " + k.getError());
                image = "error [" + notes.size() + "]";
            }
            rows.add(new String[] { k.getKernel(), image, String.valueOf(k.getNodes()),
                    String.valueOf(k.getAvailable()), dash(k.getDaemonSet()),
                    k.getBuild() == null ? "-" : k.getBuild().getObject() + " " + k.getBuild().getPhase() });
        }
        for (UnmatchedKernel u : status.getUnmatchedKernels()) {
            rows.add(new String[] { u.getKernel(), "(no kernel mapping matches)", String.valueOf(u.getNodes()), "-",
                    "-", "-" });
        }
        if (status.getDevicePlugin() != null) {
            rows.add(new String[] { "(device plugin)", "-", "-", String.valueOf(status.getDevicePlugin().getAvailable()),
                    dash(status.getDevicePlugin().getDaemonSet()), "-" });
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        var ready = Conditions.find(status.getConditions(), Conditions.READY);
        out.append("Module ").append(module).append("  Ready=").append(ready.map(c -> c.getStatus()).orElse("?"))
                .append('\n');
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < row.length; i++) {
                boolean number = i == 2 || i == 3; // NODES and AVAILABLE, right-aligned
                line.append(' ').append(number ? pad(row[i], widths[i], true) : pad(row[i], widths[i], false))
                        .append(' ');
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        ready.ifPresent(c -> out.append("  Ready: ").append(c.getMessage()).append('\n'));
        Conditions.find(status.getConditions(), Conditions.DEGRADED).filter(c -> "True".equals(c.getStatus()))
                .ifPresent(c -> out.append("  Degraded: ").append(c.getMessage()).append('\n'));
        for (int i = 0; i < notes.size(); i++) {
            out.append("  [").append(i + 1).append("] ").append(notes.get(i)).append('\n');
        }
        return out.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String spaces = " ".repeat(width - s.length());
        return right ? spaces + s : s + spaces;
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}

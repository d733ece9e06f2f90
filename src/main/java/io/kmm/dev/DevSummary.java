package io.kmm.dev;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.kmm.api.v1alpha1.KernelStatus;
import io.kmm.api.v1alpha1.ModuleStatus;
import io.kmm.api.v1alpha1.UnmatchedKernel;
import io.kmm.module.Conditions;
import io.kmm.module.ModuleReconciled;
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

    static String table(String module, ModuleStatus status) {
        StringBuilder out = new StringBuilder();
        String ready = Conditions.find(status.getConditions(), Conditions.READY)
                .map(c -> c.getStatus() + " (" + c.getMessage() + ")").orElse("?");
        out.append("Module ").append(module).append("  Ready=").append(ready).append('\n');
        Conditions.find(status.getConditions(), Conditions.DEGRADED).filter(c -> "True".equals(c.getStatus()))
                .ifPresent(c -> out.append("  Degraded: ").append(c.getMessage()).append('\n'));
        String format = "  %-34s %-62s %5s %9s  %-52s %s%n";
        out.append(String.format(format, "KERNEL", "IMAGE", "NODES", "AVAILABLE", "DAEMONSET", "BUILD"));
        for (KernelStatus k : status.getKernels()) {
            out.append(String.format(format, k.getKernel(), k.getError() != null ? "error: " + k.getError()
                    : k.getImage(), k.getNodes(), k.getAvailable(), dash(k.getDaemonSet()), k.getBuild() == null ? "-"
                            : k.getBuild().getObject() + " " + k.getBuild().getPhase()));
        }
        for (UnmatchedKernel u : status.getUnmatchedKernels()) {
            out.append(String.format(format, u.getKernel(), "(no kernel mapping matches)", u.getNodes(), "-", "-",
                    "-"));
        }
        if (status.getDevicePlugin() != null) {
            out.append(String.format(format, "(device plugin)", "", "", status.getDevicePlugin().getAvailable(),
                    status.getDevicePlugin().getDaemonSet(), ""));
        }
        return out.toString();
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}

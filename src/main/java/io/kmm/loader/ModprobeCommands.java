package io.kmm.loader;

import java.util.ArrayList;
import java.util.List;

import io.kmm.api.v1alpha1.Modprobe;

/**
 * The shell scripts the loader container runs when {@code spec.modprobe} is set. Pure. Every value from the Module is
 * single-quoted, so no field can inject shell syntax. The image needs {@code sh}, {@code modprobe}, {@code sleep}
 * and, with a firmware path, {@code cp} and {@code find} (busybox has them all).
 */
public final class ModprobeCommands {

    /** Where the image keeps {@code lib/modules/<kernel>} unless {@code modprobe.dirName} says otherwise. */
    public static final String DEFAULT_DIR = "/opt";
    /** The node's firmware directory, mounted at the same path in loaders that copy firmware. */
    public static final String FIRMWARE_DIR = "/var/lib/firmware";
    static final List<String> DEFAULT_LOAD_ARGS = List.of("-v");
    static final List<String> DEFAULT_UNLOAD_ARGS = List.of("-v");

    private ModprobeCommands() {
    }

    /**
     * In-tree modules removed, firmware copied, the module(s) loaded; then the container keeps running until it is
     * told to stop (SIGTERM ends it at once, after the preStop hook unloaded).
     *
     * @param inTreeModulesToRemove the kernel's list (a mapping's own, else the Module's), may be null
     */
    public static String load(Modprobe m, List<String> inTreeModulesToRemove) {
        List<String> lines = new ArrayList<>();
        lines.add("set -e");
        if (inTreeModulesToRemove != null && !inTreeModulesToRemove.isEmpty()) {
            lines.add(command("modprobe", List.of("-r", "-v"), inTreeModulesToRemove));
        }
        if (m.getFirmwarePath() != null) {
            lines.add("mkdir -p " + quote(FIRMWARE_DIR));
            lines.add("cp -r " + quote(m.getFirmwarePath() + "/.") + " " + quote(FIRMWARE_DIR + "/"));
        }
        if (m.getRawArgs() != null && m.getRawArgs().getLoad() != null) {
            lines.add(command("modprobe", m.getRawArgs().getLoad(), List.of()));
        } else if (m.getModulesLoadingOrder() != null && !m.getModulesLoadingOrder().isEmpty()) {
            for (String module : m.getModulesLoadingOrder()) {
                lines.add(loadOne(m, module));
            }
        } else {
            lines.add(loadOne(m, m.getModuleName()));
        }
        lines.add("trap 'exit 0' TERM INT");
        lines.add("while true; do sleep 3600 & wait $!; done");
        return String.join("\n", lines);
    }

    /** The module(s) unloaded (a loading order in reverse), then the firmware that was copied removed. */
    public static String unload(Modprobe m) {
        List<String> lines = new ArrayList<>();
        lines.add("set -e");
        if (m.getRawArgs() != null && m.getRawArgs().getUnload() != null) {
            lines.add(command("modprobe", m.getRawArgs().getUnload(), List.of()));
        } else if (m.getModulesLoadingOrder() != null && !m.getModulesLoadingOrder().isEmpty()) {
            List<String> reversed = new ArrayList<>(m.getModulesLoadingOrder());
            java.util.Collections.reverse(reversed);
            for (String module : reversed) {
                lines.add(unloadOne(m, module));
            }
        } else {
            lines.add(unloadOne(m, m.getModuleName()));
        }
        if (m.getFirmwarePath() != null) {
            lines.add("cd " + quote(m.getFirmwarePath()) + " && find . -type f | while read -r f; do rm -f "
                    + quote(FIRMWARE_DIR + "/") + "\"$f\"; done");
        }
        return String.join("\n", lines);
    }

    private static String loadOne(Modprobe m, String module) {
        List<String> args = new ArrayList<>(m.getArgs() != null && m.getArgs().getLoad() != null ? m.getArgs().getLoad()
                : DEFAULT_LOAD_ARGS);
        args.add("-d");
        args.add(dir(m));
        List<String> names = new ArrayList<>(List.of(module));
        if (module.equals(m.getModuleName()) && m.getParameters() != null) {
            names.addAll(m.getParameters());
        }
        return command("modprobe", args, names);
    }

    private static String unloadOne(Modprobe m, String module) {
        List<String> args = new ArrayList<>(List.of("-r"));
        args.addAll(m.getArgs() != null && m.getArgs().getUnload() != null ? m.getArgs().getUnload()
                : DEFAULT_UNLOAD_ARGS);
        args.add("-d");
        args.add(dir(m));
        return command("modprobe", args, List.of(module));
    }

    static String dir(Modprobe m) {
        return m.getDirName() == null ? DEFAULT_DIR : m.getDirName();
    }

    private static String command(String program, List<String> args, List<String> operands) {
        StringBuilder line = new StringBuilder(program);
        for (String a : args) {
            line.append(' ').append(quote(a));
        }
        for (String o : operands) {
            line.append(' ').append(quote(o));
        }
        return line.toString();
    }

    /** A single-quoted shell word: nothing in it is interpreted. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}

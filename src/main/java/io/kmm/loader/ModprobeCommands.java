package io.kmm.loader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.kmm.api.v1alpha1.Modprobe;

/**
 * The shell scripts the loader container runs when {@code spec.modprobe} is set. Pure. Every value from the Module is
 * single-quoted, so no field can inject shell syntax.
 * <p>
 * What they need from the image (docs/unloading.md#the-loader-image): a POSIX {@code sh}, <b>kmod's</b>
 * {@code modprobe} (busybox's has no {@code -d}; both scripts look for kmod's by absolute path, because busybox's
 * shell may run its own applet for a bare {@code modprobe}, and stop at once with a message naming the fix when there
 * is none), {@code sleep}, and with a firmware path {@code mkdir}, {@code cp} and {@code find}. Both were run on a real
 * kernel under qemu ({@code KernelLoadIT}), with a kmod image and a busybox-only one.
 */
public final class ModprobeCommands {

    /** Where the image keeps {@code lib/modules/<kernel>} unless {@code modprobe.dirName} says otherwise. */
    public static final String DEFAULT_DIR = "/opt";
    /** The node's firmware directory, mounted at the same path in loaders that copy firmware. */
    public static final String FIRMWARE_DIR = "/var/lib/firmware";
    /** What the load step prints once everything is loaded (the container then waits until it is stopped). */
    public static final String LOADED = "KMM: loaded";
    /**
     * The folder (an emptyDir the operator mounts) where the load step marks that everything is loaded; the loader's
     * readiness probe checks the mark, so that a pod is Ready only once its module is loaded (a loader that fails
     * at once would otherwise be Ready for a moment at every restart, and the module-ready label would flap).
     */
    public static final String STATE_DIR = "/run/kmm";
    public static final String LOADED_MARK = STATE_DIR + "/loaded";
    /** The start of what both steps print, and exit 1 with, when the image has no kmod modprobe. */
    public static final String NO_KMOD = "KMM: this loader image has no modprobe from kmod";
    static final List<String> DEFAULT_LOAD_ARGS = List.of("-v");
    static final List<String> DEFAULT_UNLOAD_ARGS = List.of("-v");

    /**
     * Shell functions both steps start with: {@code $kmm_modprobe} is kmod's modprobe, found by absolute path (PATH
     * first, then the usual places), and {@code kmm_loaded NAME} tells whether the kernel has that module loaded
     * ({@code /proc/modules}, where '-' in a name reads '_'; a kernel without it has none). Only {@code sh} built-ins
     * are used.
     */
    static final List<String> PRELUDE = List.of(
            "set -e",
            "kmm_modprobe=''",
            "for kmm_p in \"$(command -v modprobe 2>/dev/null || true)\" /usr/sbin/modprobe /sbin/modprobe "
                    + "/usr/bin/modprobe /bin/modprobe; do",
            "  case \"$kmm_p\" in /*) ;; *) continue ;; esac",
            "  [ -x \"$kmm_p\" ] || continue",
            "  case \"$(\"$kmm_p\" -V 2>/dev/null || true)\" in kmod*) kmm_modprobe=\"$kmm_p\"; break ;; esac",
            "done",
            "if [ -z \"$kmm_modprobe\" ]; then",
            "  echo '" + NO_KMOD + " (busybox'\\''s cannot load modules from another directory: it has no -d)."
                    + " Install kmod in the image: apt-get install kmod (Debian, Ubuntu), dnf or microdnf install kmod"
                    + " (Fedora, RHEL, UBI), apk add kmod (Alpine). See docs/unloading.md#the-loader-image' >&2",
            "  exit 1",
            "fi",
            "kmm_loaded() {",
            "  [ -r /proc/modules ] || return 1",
            "  kmm_n=$(IFS=-; set -f; set -- $1; IFS=_; printf '%s' \"$*\")",
            "  while read -r kmm_m kmm_rest; do [ \"$kmm_m\" = \"$kmm_n\" ] && return 0; done < /proc/modules",
            "  return 1",
            "}");

    private ModprobeCommands() {
    }

    /**
     * In-tree modules removed (those loaded: a module the node does not have, or has not loaded, is skipped), firmware
     * copied, the module(s) loaded, {@link #LOADED_MARK} written (the readiness probe's signal); then the container
     * keeps running until it is told to stop (SIGTERM ends it at once, after the preStop hook unloaded).
     *
     * @param inTreeModulesToRemove the kernel's list (a mapping's own, else the Module's), may be null
     */
    public static String load(Modprobe m, List<String> inTreeModulesToRemove) {
        List<String> lines = new ArrayList<>(PRELUDE);
        lines.add("rm -f " + quote(LOADED_MARK));
        if (inTreeModulesToRemove != null) {
            for (String module : inTreeModulesToRemove) {
                lines.add(ifLoaded(module, command(List.of("-r", "-v"), List.of(module)), "in-tree module"));
            }
        }
        if (m.getFirmwarePath() != null) {
            lines.addAll(copyFirmware(m.getFirmwarePath()));
        }
        List<String> loaded;
        if (m.getRawArgs() != null && m.getRawArgs().getLoad() != null) {
            lines.add(command(m.getRawArgs().getLoad(), List.of()));
            loaded = List.of();
        } else {
            loaded = loadingOrder(m);
            for (String module : loaded) {
                lines.add(loadOne(m, module));
            }
        }
        lines.add(": > " + quote(LOADED_MARK));
        lines.add("echo " + quote(LOADED + (loaded.isEmpty() ? "" : ": " + String.join(" ", loaded))
                + "; waiting until the pod stops (its preStop hook unloads)"));
        lines.add("trap 'exit 0' TERM INT");
        lines.add("while true; do sleep 3600 & wait $!; done");
        return String.join("\n", lines);
    }

    /**
     * The module(s) unloaded (a loading order in reverse), then the firmware that was copied removed. kmod's
     * {@code modprobe -r} of a module the image has but the kernel has not loaded succeeds (checked on a real kernel
     * by KernelLoadIT), so the hook also succeeds after a failed load.
     */
    public static String unload(Modprobe m) {
        List<String> lines = new ArrayList<>(PRELUDE);
        if (m.getRawArgs() != null && m.getRawArgs().getUnload() != null) {
            lines.add(command(m.getRawArgs().getUnload(), List.of()));
        } else {
            List<String> reversed = new ArrayList<>(loadingOrder(m));
            Collections.reverse(reversed);
            for (String module : reversed) {
                lines.add(unloadOne(m, module));
            }
        }
        if (m.getFirmwarePath() != null) {
            lines.add("cd " + quote(m.getFirmwarePath()) + " && find . -type f | while read -r f; do rm -f "
                    + quote(FIRMWARE_DIR + "/") + "\"$f\"; done");
        }
        return String.join("\n", lines);
    }

    /**
     * The image's firmware files copied to the node's firmware directory, file by file: the kernel reads that
     * directory on the node and follows symbolic links there, so none is ever made (a link in the image is refused)
     * and none on the node is written through (a directory or file there that is a link is refused); a name that is
     * not a plain relative path (a newline, "..") is refused too.
     */
    static List<String> copyFirmware(String firmwarePath) {
        String src = quote(firmwarePath);
        String dst = quote(FIRMWARE_DIR + "/");
        return List.of(
                "kmm_refuse() { echo \"KMM: firmware not copied: $1\" >&2; exit 1; }",
                "[ -d " + src + " ] || kmm_refuse " + quote("modprobe.firmwarePath " + firmwarePath
                        + " is not a directory of the image"),
                "[ -z \"$(cd " + src + " && find . -type l)\" ] || kmm_refuse " + quote(firmwarePath
                        + " holds symbolic links (copy the files themselves into the image)"),
                "(cd " + src + " && find .) | while read -r f; do",
                "  case \"$f\" in .) ;; ./*/../*|./../*|*/..|./..) kmm_refuse \"'$f' is not a plain path\" ;; ./*) ;; "
                        + "*) kmm_refuse \"'$f' is not a plain path\" ;; esac",
                "done",
                "mkdir -p " + quote(FIRMWARE_DIR),
                "(cd " + src + " && find . -type d; cd " + src + " && find . -type f) | while read -r f; do",
                "  [ \"$f\" = . ] && continue",
                "  [ -L " + dst + "\"$f\" ] && kmm_refuse \"" + FIRMWARE_DIR + "/$f is a symbolic link on the node\"",
                "  if [ -d " + src + "/\"$f\" ]; then mkdir -p " + dst + "\"$f\"; else cp " + src + "/\"$f\" " + dst
                        + "\"$f\"; fi",
                "done");
    }

    private static List<String> loadingOrder(Modprobe m) {
        return m.getModulesLoadingOrder() != null && !m.getModulesLoadingOrder().isEmpty()
                ? m.getModulesLoadingOrder() : List.of(m.getModuleName());
    }

    private static String ifLoaded(String module, String command, String what) {
        return "if kmm_loaded " + quote(module) + "; then " + command + "; else echo "
                + quote("KMM: " + what + " " + module + " is not loaded: nothing to remove") + "; fi";
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
        return command(args, names);
    }

    private static String unloadOne(Modprobe m, String module) {
        List<String> args = new ArrayList<>(List.of("-r"));
        args.addAll(m.getArgs() != null && m.getArgs().getUnload() != null ? m.getArgs().getUnload()
                : DEFAULT_UNLOAD_ARGS);
        args.add("-d");
        args.add(dir(m));
        return command(args, List.of(module));
    }

    static String dir(Modprobe m) {
        return m.getDirName() == null ? DEFAULT_DIR : m.getDirName();
    }

    /** kmod's modprobe (found by the prelude) with these words, each quoted. */
    private static String command(List<String> args, List<String> operands) {
        StringBuilder line = new StringBuilder("\"$kmm_modprobe\"");
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

package io.kmm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The table of mistakes a user can write in a Module, and where each one surfaces: rejected by the CRD's schema at
 * admission (with which message), reported in the Module's status by the operator (which Degraded reason, which
 * message), or both (the operator catches it too when the schema was bypassed, e.g. with an older CRD). Used by the
 * schema test (every case against the CRD) and by the cluster test (every case created next to a good Module).
 *
 * <p>Every case starts from {@link #good}: namespace {@value #NAMESPACE}, nodes labelled {@code pool=bad} running
 * {@value #KERNEL}.
 */
public final class BadModules {

    public static final String NAMESPACE = "bad";
    public static final String KERNEL = "5.14.0-70.el9.x86_64";
    public static final String POOL = "bad";
    /** A Secret the cluster test creates: type Opaque, no .dockerconfigjson key. */
    public static final String OPAQUE_SECRET = "opaque-secret";
    /**
     * A Secret the cluster test creates: type Opaque, a .dockerconfigjson key whose content is not JSON (a real API
     * server refuses such content in a Secret of type kubernetes.io/dockerconfigjson).
     */
    public static final String GARBLED_SECRET = "garbled-secret";
    /** Nothing listens there. */
    public static final String UNREACHABLE_REGISTRY = "127.0.0.1:1";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param schemaError part of the message the API server answers with, or null when the schema accepts it (the
     *        real kube-apiserver's wording, checked by BadModulesIT; CrdSchema words its findings the same way)
     * @param statusReason Degraded reason the operator reports, or null when it does not see a problem (then the
     *        schema is the only line of defence, and the case must have a schemaError)
     * @param statusMessage part of the Degraded message (names the field)
     */
    public record Case(String name, String mistake, ObjectNode module, String schemaError, String statusReason,
            String statusMessage) {
        @Override
        public String toString() {
            return name;
        }
    }

    private BadModules() {
    }

    /** A Module that reconciles normally: one regexp mapping for {@value #KERNEL}. */
    public static ObjectNode good(String name) {
        ObjectNode m = JSON.createObjectNode();
        m.put("apiVersion", "ooto.sigs.k8s.io/v1alpha1");
        m.put("kind", "Module");
        m.putObject("metadata").put("name", name).put("namespace", NAMESPACE);
        ObjectNode spec = m.putObject("spec");
        ObjectNode loader = spec.putObject("moduleLoader");
        loader.put("name", "loader").put("image", "overwritten");
        loader.putObject("lifecycle").putObject("preStop").putObject("exec").putArray("command").add("modprobe")
                .add("-r").add("example");
        spec.putObject("selector").put("pool", POOL);
        spec.putArray("kernelMappings").addObject().put("regexp", "^5\\.14\\.")
                .put("containerImage", "quay.io/vendor/example:${KERNEL_FULL_VERSION}");
        return m;
    }

    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        // --- kernel mappings
        add(cases, "both-literal-and-regexp", "a mapping with both literal and regexp",
                m -> mapping(m).put("literal", KERNEL),
                "set exactly one of literal and regexp", "InvalidKernelMapping",
                "spec.kernelMappings[0]: set exactly one of literal and regexp (both are set)");
        add(cases, "neither-literal-nor-regexp", "a mapping with neither literal nor regexp",
                m -> mapping(m).remove("regexp"),
                "set exactly one of literal and regexp", "InvalidKernelMapping",
                "spec.kernelMappings[0]: set exactly one of literal and regexp (neither is set)");
        add(cases, "empty-literal", "literal: \"\"",
                m -> mapping(m).put("literal", "").remove("regexp"),
                "literal must not be empty", null, null);
        add(cases, "empty-regexp", "regexp: \"\" (would match every kernel)",
                m -> mapping(m).put("regexp", ""),
                "regexp must not be empty", null, null);
        add(cases, "invalid-regexp", "a regexp that does not compile",
                m -> mapping(m).put("regexp", "^5\\.14($"),
                null, "InvalidKernelMapping", "spec.kernelMappings[0].regexp: invalid regular expression");
        add(cases, "regexp-backreference", "a backreference, which RE2 does not have",
                m -> mapping(m).put("regexp", "^(5)\\.\\1"),
                null, "InvalidKernelMapping", "spec.kernelMappings[0].regexp: invalid regular expression");
        add(cases, "regexp-lookahead", "a lookahead, which RE2 does not have",
                m -> mapping(m).put("regexp", "^5(?=\\.14)"),
                null, "InvalidKernelMapping", "spec.kernelMappings[0].regexp: invalid regular expression");
        add(cases, "empty-container-image", "containerImage: \"\"",
                m -> mapping(m).put("containerImage", ""),
                "containerImage must not be empty", "InvalidKernelMapping",
                "spec.kernelMappings[0].containerImage: containerImage is empty");
        add(cases, "missing-container-image", "a mapping without containerImage",
                m -> mapping(m).remove("containerImage"),
                "spec.kernelMappings[0].containerImage: Required value", "InvalidKernelMapping",
                "spec.kernelMappings[0].containerImage: containerImage is empty");
        add(cases, "container-image-with-space", "a containerImage with white space",
                m -> mapping(m).put("containerImage", "quay.io/vendor/example: v1"),
                "containerImage must not contain white space", "InvalidKernelMapping",
                "is not a valid image reference");
        add(cases, "unknown-variable", "a misspelt ${VARIABLE}",
                m -> mapping(m).put("containerImage", "quay.io/vendor/example:${KERNEL_VERISON}"),
                null, "InvalidKernelMapping", "unknown variable ${KERNEL_VERISON}");
        add(cases, "unterminated-variable", "a ${VARIABLE without its closing brace",
                m -> mapping(m).put("containerImage", "quay.io/vendor/example:${KERNEL_FULL_VERSION"),
                null, "InvalidKernelMapping", "spec.kernelMappings[0].containerImage");
        add(cases, "no-mappings", "kernelMappings: []",
                m -> spec(m).putArray("kernelMappings"),
                "spec.kernelMappings in body should have at least 1 items", "InvalidKernelMapping",
                "spec.kernelMappings: at least one kernel mapping is required");
        add(cases, "missing-mappings", "no kernelMappings at all",
                m -> spec(m).remove("kernelMappings"),
                "spec.kernelMappings: Required value", "InvalidKernelMapping",
                "spec.kernelMappings: at least one kernel mapping is required");
        add(cases, "too-many-mappings", "129 kernel mappings",
                m -> {
                    ArrayNode mappings = spec(m).putArray("kernelMappings");
                    for (int i = 0; i < 129; i++) {
                        mappings.addObject().put("literal", "5.14.0-" + i).put("containerImage", "quay.io/v/e:" + i);
                    }
                },
                "spec.kernelMappings: Too many: 129: must have at most 128 items", null, null);
        // --- the loader and the device plugin
        add(cases, "missing-module-loader", "no moduleLoader",
                m -> spec(m).remove("moduleLoader"),
                "spec.moduleLoader: Required value", "InvalidModule",
                "spec.moduleLoader: a moduleLoader container is required");
        add(cases, "device-plugin-without-image", "a devicePlugin without image",
                m -> spec(m).putObject("devicePlugin").put("name", "plugin"),
                "devicePlugin.image is required", null, null);
        add(cases, "service-account-name", "serviceAccountName that is no ServiceAccount name",
                m -> spec(m).put("serviceAccountName", "Module_Loader"),
                "serviceAccountName must be a ServiceAccount name", null, null);
        add(cases, "name-too-long", "a 64-character Module name (it becomes a label value)",
                m -> ((ObjectNode) m.get("metadata")).put("name", "n" + "x".repeat(63)),
                "Module names are at most 63 characters", null, null);
        // --- selector
        add(cases, "selector-unquoted-boolean", "selector value true without quotes",
                m -> ((ObjectNode) spec(m).get("selector")).put("feature.node.kubernetes.io/cpu-cpuid.VMX", true),
                "spec.selector.feature.node.kubernetes.io/cpu-cpuid.VMX in body must be of type string: \"boolean\"", null, null);
        add(cases, "selector-value-not-a-label", "a selector value no node label can have",
                m -> ((ObjectNode) spec(m).get("selector")).put("pool", "gpu nodes!"),
                null, "InvalidModule", "spec.selector[pool]: \"gpu nodes!\" is not a valid label value");
        add(cases, "selector-value-too-long", "a 64-character selector value",
                m -> ((ObjectNode) spec(m).get("selector")).put("pool", "p".repeat(64)),
                "selector keys are at most 317 characters (prefix/name) and values at most 63", "InvalidModule",
                "is not a valid label value");
        add(cases, "selector-key-not-a-label", "a selector key no node label can have",
                m -> ((ObjectNode) spec(m).get("selector")).put("node role", "gpu"),
                null, "InvalidModule", "spec.selector: \"node role\" is not a valid label key");
        add(cases, "unknown-field", "a misspelt field (kernelMapping)",
                m -> spec(m).set("kernelMapping", spec(m).get("kernelMappings").deepCopy()),
                "unknown field \"spec.kernelMapping\"", null, null);
        // --- builds
        add(cases, "build-with-both-sources", "a build with both dockerfile and git",
                m -> build(mapping(m)).put("dockerfile", "FROM scratch").putObject("git")
                        .put("url", "https://github.com/vendor/driver.git"),
                "set either dockerfile or git, not both", "InvalidBuild",
                "spec.kernelMappings[0].build: set either dockerfile or git, not both");
        add(cases, "build-without-source", "a build with only buildArgs, no dockerfile or git anywhere",
                m -> build(mapping(m)).putArray("buildArgs").addObject().put("name", "VERSION").put("value", "1"),
                "a kernel mapping that builds needs a source", "InvalidBuild",
                "spec.kernelMappings[0].build: no build source");
        add(cases, "git-without-url", "a Git build without url",
                m -> build(mapping(m)).putObject("git").put("ref", "main"),
                "spec.kernelMappings[0].build.git.url: Required value", "InvalidBuild",
                "spec.kernelMappings[0].build.git.url: a Git build needs a URL");
        add(cases, "module-git-without-url", "spec.build with a Git source without url",
                m -> build(spec(m)).putObject("git").put("ref", "main"),
                "spec.build.git.url: Required value", "InvalidBuild", "spec.build.git.url: a Git build needs a URL");
        add(cases, "git-url-not-a-url", "git.url without a scheme",
                m -> build(mapping(m)).putObject("git").put("url", "github.com/vendor/driver"),
                "git.url must be an https://, http:// or git:// URL", null, null);
        add(cases, "empty-dockerfile", "dockerfile: \"\"",
                m -> build(mapping(m)).put("dockerfile", ""),
                "dockerfile must not be empty", "InvalidBuild", "spec.kernelMappings[0].build.dockerfile: dockerfile is empty");
        add(cases, "build-arg-name", "a build argument name that is no ARG name",
                m -> {
                    ObjectNode b = build(mapping(m)).put("dockerfile", "FROM scratch");
                    b.putArray("buildArgs").addObject().put("name", "1ST").put("value", "x");
                },
                "build argument names are letters, digits and '_', not starting with a digit", null, null);
        add(cases, "duplicate-build-args", "the same build argument twice",
                m -> {
                    ObjectNode b = build(mapping(m)).put("dockerfile", "FROM scratch");
                    ArrayNode args = b.putArray("buildArgs");
                    args.addObject().put("name", "VERSION").put("value", "1");
                    args.addObject().put("name", "VERSION").put("value", "2");
                },
                "buildArgs names must be unique", null, null);
        add(cases, "build-secret-without-name", "a build secret without name",
                m -> build(mapping(m)).put("dockerfile", "FROM scratch").putArray("secrets").addObject(),
                "every build secret needs a name", null, null);
        // --- Secrets and registries (only the operator can see these)
        add(cases, "image-repo-secret-without-name", "imageRepoSecret: {}",
                m -> spec(m).putObject("imageRepoSecret"),
                "imageRepoSecret.name is required", null, null);
        add(cases, "missing-image-repo-secret", "an imageRepoSecret that does not exist",
                m -> {
                    building(m);
                    spec(m).putObject("imageRepoSecret").put("name", "no-such-secret");
                },
                null, "RegistryCheckFailed", "Secret bad/no-such-secret (spec.imageRepoSecret) does not exist");
        add(cases, "opaque-image-repo-secret", "an imageRepoSecret that is not a docker config",
                m -> {
                    building(m);
                    spec(m).putObject("imageRepoSecret").put("name", OPAQUE_SECRET);
                },
                null, "RegistryCheckFailed", "Secret bad/" + OPAQUE_SECRET
                        + " (spec.imageRepoSecret) has no .dockerconfigjson key");
        add(cases, "garbled-image-repo-secret", "an imageRepoSecret whose content is not JSON",
                m -> {
                    building(m);
                    spec(m).putObject("imageRepoSecret").put("name", GARBLED_SECRET);
                },
                null, "RegistryCheckFailed", "Secret bad/" + GARBLED_SECRET + " (spec.imageRepoSecret) is malformed");
        add(cases, "unreachable-registry", "an image on a registry nobody answers for",
                BadModules::building, null, "RegistryCheckFailed", UNREACHABLE_REGISTRY);
        // --- modprobe (spec.modprobe) and in-tree modules
        add(cases, "modprobe-without-module", "a modprobe section with neither moduleName nor both rawArgs",
                m -> spec(m).putObject("modprobe").putArray("parameters").add("debug=1"),
                "set modprobe.moduleName, or both modprobe.rawArgs.load and modprobe.rawArgs.unload", "InvalidModule",
                "spec.modprobe: set moduleName, or both rawArgs.load and rawArgs.unload");
        add(cases, "modprobe-raw-load-only", "rawArgs.load without rawArgs.unload",
                m -> spec(m).putObject("modprobe").putObject("rawArgs").putArray("load").add("example"),
                "set modprobe.moduleName, or both modprobe.rawArgs.load and modprobe.rawArgs.unload", "InvalidModule",
                "spec.modprobe: set moduleName, or both rawArgs.load and rawArgs.unload");
        add(cases, "modprobe-module-name-with-space", "a moduleName modprobe does not accept",
                m -> spec(m).putObject("modprobe").put("moduleName", "my module"),
                "modprobe.moduleName is a kernel module name: letters, digits, '_' and '-'", "InvalidModule",
                "spec.modprobe.moduleName: \"my module\" is not a kernel module name");
        add(cases, "loading-order-not-first", "a modulesLoadingOrder that does not start with moduleName",
                m -> {
                    ObjectNode modprobe = spec(m).putObject("modprobe").put("moduleName", "example");
                    modprobe.putArray("modulesLoadingOrder").add("dependency").add("example");
                },
                "modprobe.modulesLoadingOrder starts with modprobe.moduleName", "InvalidModule",
                "spec.modprobe.modulesLoadingOrder: starts with moduleName");
        add(cases, "loading-order-of-one", "a modulesLoadingOrder of one module",
                m -> spec(m).putObject("modprobe").put("moduleName", "example").putArray("modulesLoadingOrder")
                        .add("example"),
                "spec.modprobe.modulesLoadingOrder in body should have at least 2 items", "InvalidModule",
                "spec.modprobe.modulesLoadingOrder: list at least two modules");
        add(cases, "loading-order-duplicate", "a module listed twice in modulesLoadingOrder",
                m -> spec(m).putObject("modprobe").put("moduleName", "example").putArray("modulesLoadingOrder")
                        .add("example").add("dependency").add("dependency"),
                null, "InvalidModule", "spec.modprobe.modulesLoadingOrder: \"dependency\" is listed twice");
        add(cases, "firmware-path-relative", "a relative firmwarePath",
                m -> spec(m).putObject("modprobe").put("moduleName", "example").put("firmwarePath", "firmware"),
                "modprobe.firmwarePath is an absolute path", "InvalidModule",
                "spec.modprobe.firmwarePath: \"firmware\" is not an absolute path");
        add(cases, "in-tree-module-shell", "shell syntax in inTreeModulesToRemove",
                m -> spec(m).putArray("inTreeModulesToRemove").add("$(reboot)"),
                null, "InvalidModule", "spec.inTreeModulesToRemove: \"$(reboot)\" is not a kernel module name");
        // --- tolerations
        add(cases, "toleration-unknown-operator", "a toleration with operator Equals",
                m -> spec(m).putArray("tolerations").addObject().put("key", "gpu").put("operator", "Equals"),
                null, "InvalidModule", "spec.tolerations[0].operator: \"Equals\" is not a toleration operator");
        add(cases, "toleration-exists-with-value", "operator Exists with a value",
                m -> spec(m).putArray("tolerations").addObject().put("key", "gpu").put("operator", "Exists")
                        .put("value", "yes"),
                null, "InvalidModule", "spec.tolerations[0].value: must be empty with operator Exists");
        add(cases, "toleration-seconds-without-no-execute", "tolerationSeconds with effect NoSchedule",
                m -> spec(m).putArray("tolerations").addObject().put("key", "gpu").put("operator", "Exists")
                        .put("effect", "NoSchedule").put("tolerationSeconds", 30),
                null, "InvalidModule", "spec.tolerations[0].tolerationSeconds: only applies to effect NoExecute");
        // --- volumes
        add(cases, "host-path-etc", "a hostPath volume of /etc",
                m -> hostPath(m, "/etc"),
                null, "InvalidVolume", "spec.additionalVolumes[0].hostPath.path: hostPath /etc is outside the "
                        + "directories a module loader may mount");
        add(cases, "host-path-runtime-socket", "a hostPath volume of the container runtime's socket",
                m -> hostPath(m, "/run/containerd/containerd.sock"),
                null, "InvalidVolume", "hostPath /run/containerd/containerd.sock is outside the directories");
        add(cases, "host-path-escape", "a hostPath that climbs out of an allowed directory",
                m -> hostPath(m, "/lib/modules/../../etc"),
                null, "InvalidVolume", "must not contain '.' or '..' segments");
        add(cases, "host-path-relative", "a relative hostPath",
                m -> hostPath(m, "lib/modules"),
                null, "InvalidVolume", "hostPath.path must be absolute");
        add(cases, "host-path-modprobe-d", "a hostPath of /etc/modprobe.d (a file there runs at the next modprobe)",
                m -> hostPath(m, "/etc/modprobe.d"),
                null, "InvalidVolume", "hostPath /etc/modprobe.d is outside the directories a module loader may mount");
        add(cases, "host-path-dev", "a hostPath of /dev",
                m -> hostPath(m, "/dev"),
                null, "InvalidVolume", "hostPath /dev is outside the directories");
        add(cases, "host-path-sys", "a hostPath of /sys",
                m -> hostPath(m, "/sys"),
                null, "InvalidVolume", "hostPath /sys is outside the directories");
        add(cases, "host-path-directory-or-create", "a hostPath the kubelet would create (DirectoryOrCreate)",
                m -> {
                    hostPath(m, "/lib/firmware/vendor");
                    ((ObjectNode) spec(m).get("additionalVolumes").get(0).get("hostPath"))
                            .put("type", "DirectoryOrCreate");
                },
                null, "InvalidVolume", "spec.additionalVolumes[0].hostPath.type: hostPath.type must be Directory");
        add(cases, "host-path-read-write", "a hostPath mounted without readOnly",
                m -> {
                    hostPath(m, "/lib/firmware");
                    ((ObjectNode) spec(m).get("moduleLoader")).putArray("volumeMounts").addObject()
                            .put("name", "host").put("mountPath", "/host-firmware");
                },
                null, "InvalidModule", "spec.moduleLoader.volumeMounts[0].readOnly: the hostPath volume \"host\" "
                        + "must be mounted readOnly: true");
        add(cases, "volume-with-kmm-name", "a volume named like KMM's own",
                m -> spec(m).putArray("additionalVolumes").addObject().put("name", "kmm-lib-modules")
                        .putObject("emptyDir"),
                null, "InvalidVolume", "names starting with \"kmm-\" are KMM's own volumes");
        add(cases, "mount-of-kmm-volume", "the loader mounting KMM's /lib/modules volume again (read-write)",
                m -> ((ObjectNode) spec(m).get("moduleLoader")).putArray("volumeMounts").addObject()
                        .put("name", "kmm-lib-modules").put("mountPath", "/writable-modules"),
                null, "InvalidModule", "spec.moduleLoader.volumeMounts[0].name: \"kmm-lib-modules\" is KMM's own "
                        + "volume");
        // --- what a loader may be: CAP_SYS_MODULE, nothing more
        add(cases, "loader-privileged", "a privileged loader",
                m -> loaderSecurity(m).put("privileged", true),
                "a loader is not privileged", "InvalidModule",
                "spec.moduleLoader.securityContext.privileged: a loader is not privileged");
        add(cases, "loader-capability", "a loader adding SYS_ADMIN",
                m -> loaderSecurity(m).putObject("capabilities").putArray("add").add("SYS_MODULE").add("SYS_ADMIN"),
                "a loader gets CAP_SYS_MODULE only", "InvalidModule",
                "spec.moduleLoader.securityContext.capabilities.add: \"SYS_ADMIN\" is not allowed");
        add(cases, "loader-privilege-escalation", "a loader allowing privilege escalation",
                m -> loaderSecurity(m).put("allowPrivilegeEscalation", true),
                "a loader allows no privilege escalation", "InvalidModule",
                "spec.moduleLoader.securityContext.allowPrivilegeEscalation: must not be true");
        add(cases, "loader-seccomp-unconfined", "a loader without seccomp",
                m -> loaderSecurity(m).putObject("seccompProfile").put("type", "Unconfined"),
                null, "InvalidModule", "spec.moduleLoader.securityContext.seccompProfile.type: Unconfined is not "
                        + "allowed");
        add(cases, "loader-host-port", "a loader opening a port on the node",
                m -> ((ObjectNode) spec(m).get("moduleLoader")).putArray("ports").addObject()
                        .put("containerPort", 8080).put("hostPort", 8080),
                null, "InvalidModule", "spec.moduleLoader.ports: hostPort 8080 is not allowed");
        // --- where loaders may run (the admin may allow more: kmm.security.*)
        add(cases, "toleration-everything", "a toleration without a key (tolerates every taint)",
                m -> spec(m).putArray("tolerations").addObject().put("operator", "Exists"),
                null, "InvalidModule", "spec.tolerations[0]: a toleration without a key tolerates every taint, "
                        + "which only the cluster admin can allow");
        add(cases, "toleration-control-plane", "tolerating the control-plane taint",
                m -> spec(m).putArray("tolerations").addObject().put("key", "node-role.kubernetes.io/control-plane")
                        .put("operator", "Exists").put("effect", "NoSchedule"),
                null, "InvalidModule", "spec.tolerations[0].key: \"node-role.kubernetes.io/control-plane\": KMM "
                        + "does not run loaders on control-plane nodes");
        add(cases, "in-cluster-registry-other-namespace", "a build into another namespace's path of the in-cluster "
                + "registry",
                m -> {
                    building(m);
                    mapping(m).put("containerImage", "localhost:30500/other-team/example:${KERNEL_FULL_VERSION}");
                },
                null, "InvalidBuild", "images built into the in-cluster registry live under localhost:30500/"
                        + NAMESPACE + "/");
        // --- signing (the operator's checks: the schema cannot see the merged settings)
        add(cases, "sign-without-key-secret", "signing without a key Secret",
                m -> sign(m).putObject("certSecret").put("name", "c"),
                null, "InvalidSign", "spec.sign.keySecret: name the Secret that holds the signing key");
        add(cases, "sign-file-outside-dir-name", "a file to sign outside modprobe.dirName",
                m -> fullSign(m).putArray("filesToSign").add("/etc/a.ko"),
                null, "InvalidSign", "spec.sign.filesToSign: \"/etc/a.ko\" is not under modprobe.dirName (/opt)");
        add(cases, "sign-file-with-shell-syntax", "a file to sign with shell syntax",
                m -> fullSign(m).putArray("filesToSign").add("/opt/a.ko;reboot"),
                null, "InvalidSign", "spec.sign.filesToSign: \"/opt/a.ko;reboot\" is not an absolute path");
        add(cases, "sign-build-and-unsigned-image", "a mapping that builds and names an unsigned image",
                m -> {
                    fullSign(m);
                    build(mapping(m)).put("dockerfile", "FROM scratch");
                },
                null, "InvalidSign", "spec.sign.unsignedImage: set either build settings (their output is signed) "
                        + "or sign.unsignedImage, not both");
        add(cases, "sign-empty-unsigned-image", "an empty unsignedImage",
                m -> fullSign(m).put("unsignedImage", ""),
                "unsignedImage must not be empty", "InvalidSign", "spec.sign: nothing to sign");
        return cases;
    }

    private static void add(List<Case> cases, String name, String mistake, Consumer<ObjectNode> edit,
            String schemaError, String statusReason, String statusMessage) {
        ObjectNode m = good(name);
        edit.accept(m);
        cases.add(new Case(name, mistake, m, schemaError, statusReason, statusMessage));
    }

    private static ObjectNode spec(ObjectNode m) {
        return (ObjectNode) m.get("spec");
    }

    private static ObjectNode sign(ObjectNode m) {
        ObjectNode sign = spec(m).putObject("sign");
        sign.putArray("filesToSign").add("/opt/lib/modules/${KERNEL_FULL_VERSION}/extra/example.ko");
        sign.put("unsignedImage", "quay.io/vendor/example-unsigned:${KERNEL_FULL_VERSION}");
        return sign;
    }

    /** Valid signing settings, for a case to break one of them. */
    private static ObjectNode fullSign(ObjectNode m) {
        ObjectNode sign = sign(m);
        sign.putObject("keySecret").put("name", "k");
        sign.putObject("certSecret").put("name", "c");
        return sign;
    }

    private static ObjectNode mapping(ObjectNode m) {
        return (ObjectNode) spec(m).get("kernelMappings").get(0);
    }

    private static ObjectNode build(ObjectNode parent) {
        return parent.has("build") ? (ObjectNode) parent.get("build") : parent.putObject("build");
    }

    /** A mapping that builds in the cluster, so the operator asks the (unreachable) registry for the image. */
    private static void building(ObjectNode m) {
        mapping(m).put("containerImage", UNREACHABLE_REGISTRY + "/vendor/example:${KERNEL_FULL_VERSION}");
        build(mapping(m)).put("dockerfile", "FROM scratch");
    }

    private static ObjectNode loaderSecurity(ObjectNode m) {
        return ((ObjectNode) spec(m).get("moduleLoader")).putObject("securityContext");
    }

    private static void hostPath(ObjectNode m, String path) {
        ObjectNode volume = spec(m).putArray("additionalVolumes").addObject();
        volume.put("name", "host");
        volume.putObject("hostPath").put("path", path);
    }
}

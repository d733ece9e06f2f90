package io.kmm.meta;

/** Label and annotation keys KMM reads and writes. */
public final class Labels {

    public static final String DOMAIN = "ooto.sigs.k8s.io/";

    /** Node label with the node's (normalised) kernel version, written by the node labeller. */
    public static final String KERNEL_VERSION = DOMAIN + "kernel-version.full";
    /** Node Feature Discovery's kernel label, used instead of {@link #KERNEL_VERSION} in NFD mode. */
    public static final String NFD_KERNEL_VERSION = "feature.node.kubernetes.io/kernel-version.full";
    /** Name of the Module a managed object belongs to (normalised to a label value). */
    public static final String MODULE_NAME = DOMAIN + "module.name";
    /** What a managed object does: {@link #ROLE_MODULE_LOADER} or {@link #ROLE_DEVICE_PLUGIN}. */
    public static final String ROLE = DOMAIN + "role";
    public static final String ROLE_MODULE_LOADER = "module-loader";
    public static final String ROLE_DEVICE_PLUGIN = "device-plugin";
    public static final String ROLE_BUILD = "build";
    /** On a build a PreflightValidation asked for: its name. */
    public static final String PREFLIGHT = DOMAIN + "preflight";
    /** Annotation with the hash of a build's inputs. */
    public static final String BUILD_INPUTS_ANNOTATION = DOMAIN + "build-inputs-hash";
    /** Pod annotation holding an inline Dockerfile, mounted into the build through the downward API. */
    /** On build objects that sign ({@code sign}); absent on those that build. */
    public static final String BUILD_STEP_ANNOTATION = DOMAIN + "build-step";
    /**
     * On a signed image (a label of the image) and on the pod template of the loader that runs it: the signing inputs
     * (key and certificate content included) it was signed with.
     */
    public static final String SIGN_INPUTS = DOMAIN + "sign-inputs-hash";
    public static final String DOCKERFILE_ANNOTATION = DOMAIN + "dockerfile";

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "kmm-operator";
    /** Label selector that finds every object KMM manages. */
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;
    /** Label selector that finds every build object KMM manages. */
    public static final String BUILD_SELECTOR = MANAGED_SELECTOR + "," + ROLE + "=" + ROLE_BUILD;

    /** Annotation with the exact kernel version a loader DaemonSet serves (label values are normalised). */
    public static final String KERNEL_VERSION_ANNOTATION = DOMAIN + "kernel-version";
    /** Annotation with a hash of the desired DaemonSet, to tell whether the desired content changed. */
    public static final String DESIRED_HASH_ANNOTATION = DOMAIN + "desired-hash";

    /** Suffix of the module-ready node labels ({@link #moduleReady}). */
    public static final String READY_SUFFIX = ".ready";
    static final int READY_HASH_LENGTH = 24;
    /** Value of the module-ready node labels. */
    public static final String READY_VALUE = "true";

    /**
     * Suffix of the node label that names the version of a versioned Module a node should run
     * ({@code ooto.sigs.k8s.io/<namespace>.<module>.version}): set by the user (ordered upgrade) or, with
     * {@code spec.upgrade.strategy: Staged}, by the operator batch by batch.
     */
    public static final String VERSION_SUFFIX = ".version";
    /** Suffix of the operator's node label that selects a versioned Module's loader DaemonSet of one version. */
    public static final String LOADER_VERSION_SUFFIX = ".loader-version";
    /** Suffix of the operator's node label that selects a versioned Module's device-plugin DaemonSet of one version. */
    public static final String DEVICE_PLUGIN_VERSION_SUFFIX = ".device-plugin-version";
    /** Suffix of the node label that says which version of a versioned Module is loaded and Ready on the node. */
    public static final String VERSION_READY_SUFFIX = ".version-ready";
    /** On the DaemonSets (and their pods) of a versioned Module: the version they run. */
    public static final String MODULE_VERSION = DOMAIN + "module.version";

    private Labels() {
    }

    /**
     * The node label that says a Module's loader pod is Ready on the node: {@code ooto.sigs.k8s.io/<namespace>.<module>.ready}.
     * The name part of a label key holds 63 characters: when namespace and Module name are longer together, they are
     * shortened and a hash of both (96 bits: no one can choose a namespace and name whose key is another Module's) keeps
     * keys of different Modules apart.
     */
    public static String moduleReady(String namespace, String moduleName) {
        return moduleKey(namespace, moduleName, READY_SUFFIX);
    }

    /**
     * A node label key of one Module: {@code ooto.sigs.k8s.io/<namespace>.<module><suffix>}, shortened with a hash as
     * {@link #moduleReady} is.
     */
    public static String moduleKey(String namespace, String moduleName, String suffix) {
        String readable = namespace + "." + moduleName;
        int room = 63 - suffix.length();
        if (readable.length() > room) {
            String hash = LabelValues.hash(namespace + "/" + moduleName, READY_HASH_LENGTH);
            readable = LabelValues.trimToAlphanumeric(readable.substring(0, room - hash.length() - 1)) + "-" + hash;
        }
        return DOMAIN + readable + suffix;
    }

    /** Whether a node label key is one of the version labels of KMM's (user's target, loader, plugin, ready). */
    public static boolean isModuleVersion(String key) {
        return key.startsWith(DOMAIN) && (key.endsWith(VERSION_SUFFIX) || key.endsWith(LOADER_VERSION_SUFFIX)
                || key.endsWith(DEVICE_PLUGIN_VERSION_SUFFIX) || key.endsWith(VERSION_READY_SUFFIX));
    }

    /** The operator's own version labels (not the user's target): removed where no versioned Module needs them. */
    public static boolean isOperatorVersion(String key) {
        return key.startsWith(DOMAIN) && (key.endsWith(LOADER_VERSION_SUFFIX)
                || key.endsWith(DEVICE_PLUGIN_VERSION_SUFFIX) || key.endsWith(VERSION_READY_SUFFIX));
    }

    /** Whether a node label key is a module-ready label of KMM's. */
    public static boolean isModuleReady(String key) {
        return key.startsWith(DOMAIN) && key.endsWith(READY_SUFFIX) && !key.startsWith(DOMAIN + "kernel-version");
    }

    /** Whether a node's labels satisfy a Module selector (every key/value present; an empty selector takes all). */
    public static boolean selectorMatches(java.util.Map<String, String> selector, java.util.Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        if (labels == null) {
            return false;
        }
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** The labels of every object KMM creates for a Module: its name, the object's role, and managed-by. */
    public static java.util.Map<String, String> of(String moduleName, String role) {
        java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put(MODULE_NAME, LabelValues.normalise(moduleName));
        labels.put(ROLE, role);
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        return labels;
    }

    /** The same, for an object that serves one kernel (loader DaemonSets, builds): with the kernel's label. */
    public static java.util.Map<String, String> of(String moduleName, String role, String kernelLabel) {
        java.util.Map<String, String> labels = of(moduleName, role);
        labels.put(KERNEL_VERSION, kernelLabel);
        return labels;
    }
}

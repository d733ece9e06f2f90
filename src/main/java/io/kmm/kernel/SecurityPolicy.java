package io.kmm.kernel;

import java.util.List;

/**
 * What the cluster admin allows Modules beyond loading a kernel module (docs/security.md#what-the-admin-controls).
 * The defaults allow nothing more. Pure.
 *
 * @param allowedNamespaces the namespaces whose Modules the operator acts on; {@code *} (the default) for all
 * @param controlPlaneNodes whether loaders may run on control-plane nodes (and Modules tolerate their taints)
 * @param broadTolerations whether a Module may tolerate every taint (a toleration without a key)
 * @param extraHostPaths host directories a Module's {@code additionalVolumes} may mount besides the module and
 *        firmware directories (read-only, like those)
 * @param inClusterRegistry the in-cluster registry's node address (images built there live under
 *        {@code <address>/<namespace>/}), or null when it is off
 */
public record SecurityPolicy(List<String> allowedNamespaces, boolean controlPlaneNodes, boolean broadTolerations,
        List<String> extraHostPaths, String inClusterRegistry) {

    public static final SecurityPolicy DEFAULT = new SecurityPolicy(List.of("*"), false, false, List.of(),
            "localhost:30500");

    /** The node labels that mark control-plane nodes (current and legacy). */
    public static final List<String> CONTROL_PLANE_LABELS = List.of("node-role.kubernetes.io/control-plane",
            "node-role.kubernetes.io/master");

    public SecurityPolicy {
        allowedNamespaces = allowedNamespaces == null ? List.of("*") : List.copyOf(allowedNamespaces);
        extraHostPaths = extraHostPaths == null ? List.of() : List.copyOf(extraHostPaths);
    }

    public boolean namespaceAllowed(String namespace) {
        return allowedNamespaces.contains("*") || allowedNamespaces.contains(namespace);
    }

    /** Whether a node is one the Module may target: control-plane nodes only when the admin allows them. */
    public boolean nodeAllowed(java.util.Map<String, String> labels) {
        return controlPlaneNodes || labels == null || CONTROL_PLANE_LABELS.stream().noneMatch(labels::containsKey);
    }
}

package io.kmm.registry;

/**
 * The optional in-cluster registry ({@code kubernetes/registry/}) and its two addresses. Nodes pull through a
 * NodePort as {@code localhost:<port>} (the name Modules use in their images: the container runtime reaches it over
 * the node's own network and, for localhost, without TLS); pods (the build pods) and the operator reach the same
 * registry through its Service. Pure.
 *
 * @param nodeAddress the registry as the nodes name it, e.g. {@code localhost:30500}
 * @param serviceAddress the registry as pods and the operator reach it, e.g. {@code kmm-registry.kmm-registry.svc:5000}
 * @param insecure the service address is plain HTTP (or TLS that cannot be verified)
 */
public record InClusterRegistry(String nodeAddress, String serviceAddress, boolean insecure) {

    public InClusterRegistry {
        if (nodeAddress == null || nodeAddress.isBlank() || serviceAddress == null || serviceAddress.isBlank()) {
            throw new IllegalArgumentException("the in-cluster registry needs a node address and a service address");
        }
    }

    /** Whether an image reference names this registry by its node address. */
    public boolean names(String image) {
        return image != null && image.startsWith(nodeAddress + "/");
    }

    /**
     * The reference pods and the operator use for an image: the node address replaced by the service address; other
     * images unchanged.
     */
    public String forPods(String image) {
        return names(image) ? serviceAddress + image.substring(nodeAddress.length()) : image;
    }

    /** The in-cluster registry as configured, or null when it is turned off. */
    public static InClusterRegistry of(io.kmm.config.KmmConfig.InCluster config) {
        return config.enabled() ? new InClusterRegistry(config.nodeAddress(), config.serviceAddress(), config.insecure())
                : null;
    }
}

package io.kmm.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The informer cache of Nodes, keeping only what the controllers read: name, labels, the identity fields the
 * informer and the Operator SDK compare (uid, resourceVersion, generation, deletionTimestamp) and the kernel version.
 * A real Node carries its image list, conditions, addresses, capacity and annotations (often 10-50 KiB each); KMM
 * keeps one Node cache (the node labeller's, shared with the Module controller), and on a 5,000-node cluster this is
 * the difference between a few MiB and a hundred or more. Event handlers still see the full objects as they arrive; only the
 * stored copy is pruned.
 */
@RegisterForReflection
public class PrunedNodeStore extends BasicItemStore<Node> {

    public PrunedNodeStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Node put(String key, Node node) {
        return super.put(key, prune(node));
    }

    /** The parts of a Node KMM reads. Pure. */
    public static Node prune(Node node) {
        ObjectMeta meta = node.getMetadata();
        NodeBuilder pruned = new NodeBuilder().withApiVersion(node.getApiVersion()).withKind(node.getKind())
                .withNewMetadata().withName(meta.getName()).withUid(meta.getUid())
                .withResourceVersion(meta.getResourceVersion()).withGeneration(meta.getGeneration())
                .withCreationTimestamp(meta.getCreationTimestamp()).withDeletionTimestamp(meta.getDeletionTimestamp())
                .withLabels(meta.getLabels()).endMetadata();
        // a kubelet writes its own status: what is not a release is kept short (still invalid: one character over)
        NodeKernels.kernelOf(node).ifPresent(kernel -> pruned.withNewStatus().withNewNodeInfo()
                .withKernelVersion(kernel.length() > NodeKernels.MAX_RELEASE + 1
                        ? kernel.substring(0, NodeKernels.MAX_RELEASE + 1) : kernel).endNodeInfo().endStatus());
        return pruned.build();
    }
}

package io.kmm.node;

import java.util.LinkedHashMap;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The informer cache of Nodes, keeping only what the controllers read: name, labels, the identity fields the
 * informer and the Operator SDK compare (uid, resourceVersion, generation, deletionTimestamp) and the kernel version.
 * A real Node carries its image list, conditions, addresses, capacity and annotations (often 10-50 KiB each); KMM
 * keeps one Node cache (the node labeller's, shared with the Module controller), and on a 5,000-node cluster this is
 * the difference between a few MiB and a hundred or more. Event handlers see the objects as the watch read them
 * ({@code WatchedFields}); only the stored copy is pruned.
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

    /**
     * The parts of a Node KMM reads. Pure. Built with the model's setters, not its builders: this runs for every Node
     * event (a heartbeat every 20 to 60 s per node), and the builders copy every field twice.
     */
    public static Node prune(Node node) {
        ObjectMeta meta = node.getMetadata();
        ObjectMeta kept = new ObjectMeta();
        kept.setName(meta.getName());
        kept.setUid(meta.getUid());
        kept.setResourceVersion(meta.getResourceVersion());
        kept.setGeneration(meta.getGeneration());
        kept.setCreationTimestamp(meta.getCreationTimestamp());
        kept.setDeletionTimestamp(meta.getDeletionTimestamp());
        kept.setLabels(meta.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getLabels()));
        Node pruned = new Node();
        pruned.setApiVersion(node.getApiVersion());
        pruned.setKind(node.getKind());
        pruned.setMetadata(kept);
        // a kubelet writes its own status: what is not a release is kept short (still invalid: one character over)
        NodeKernels.kernelOf(node).ifPresent(kernel -> {
            NodeSystemInfo info = new NodeSystemInfo();
            info.setKernelVersion(kernel.length() > NodeKernels.MAX_RELEASE + 1
                    ? kernel.substring(0, NodeKernels.MAX_RELEASE + 1) : kernel);
            NodeStatus status = new NodeStatus();
            status.setNodeInfo(info);
            pruned.setStatus(status);
        });
        return pruned;
    }
}

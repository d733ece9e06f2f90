package io.kmm.node;


import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;

/**
 * The operator's one Node informer, shared. Every Node event (a heartbeat every 10-40 s per node, every label patch)
 * is a whole Node to parse once per informer that watches Nodes: with one informer per controller that was three
 * parses per event. Only the node labeller's primary informer watches Nodes; this bean hands its (pruned) cache and
 * every event it receives to the Module controller, which keeps no Node informer of its own.
 *
 * <p>
 * Events arrive through the Operator SDK's own hook for primary resource events ({@code ResourceEventAware}): the
 * node labeller registers the source {@link #attach} returns, which the SDK tells of every add, update and delete
 * before the labeller's filters, on the informer's thread. The SDK starts that source after the labeller's informer
 * has synced, so {@link #awaitSynced} returning means the cache holds every node.
 */
@ApplicationScoped
public class SharedNodes extends SharedCache<Node> {

    public SharedNodes() {
        super("Node informer of the node labeller");
    }

    /** Called by the node labeller with its primary cache; returns the event source it registers. */
    public AbstractEventSource<Node, Node> attach(IndexerResourceCache<Node> primaryCache) {
        return fanout(primaryCache, Node.class, "node-fanout");
    }
}

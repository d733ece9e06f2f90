package io.kmm.node;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;

/**
 * The operator's one Node informer, shared. Every Node event costs the parsing of a whole Node (a heartbeat every
 * 10-40 s per node, and every label patch), once per informer that watches Nodes: with one informer per controller
 * that was three parses per event. Now only the node labeller's primary informer watches Nodes; this bean hands its
 * (pruned) cache and every event it receives to the Module controller, which keeps no Node informer of its own.
 *
 * <p>
 * Events arrive through the Operator SDK's own hook for primary resource events ({@link ResourceEventAware}): the
 * node labeller registers {@link #eventSource()}, which the SDK tells of every add, update and delete before the
 * labeller's filters, on the informer's thread. That source is started after the labeller's informer has synced,
 * so {@link #awaitSynced} returning means the cache holds every node.
 */
@ApplicationScoped
public class SharedNodes {

    private static final Logger LOG = Logger.getLogger(SharedNodes.class);

    /** Told of every Node event on the informer's thread: quick, never blocking, never throwing. */
    public interface Listener {
        /**
         * @param old the node before (null: added)
         * @param now the node after (null: deleted)
         */
        void onNode(Node old, Node now);
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile IndexerResourceCache<Node> cache;
    private volatile boolean synced;

    /** Called by the node labeller with its primary cache; returns the event source it registers. */
    public AbstractEventSource<Node, Node> attach(IndexerResourceCache<Node> primaryCache) {
        this.cache = primaryCache;
        return new Fanout();
    }

    public void listen(Listener listener) {
        listeners.add(listener);
    }

    /** The nodes the informer holds (pruned: see {@link PrunedNodeStore}). */
    public Stream<Node> list(Predicate<Node> predicate) {
        IndexerResourceCache<Node> c = cache;
        return c == null ? Stream.empty() : c.list(predicate);
    }

    public boolean synced() {
        return synced;
    }

    /**
     * Waits until the node informer has synced (it starts with the node labeller, in parallel with the other
     * controllers).
     *
     * @throws OperatorException when it has not synced within {@code timeout}: the caller's start fails, as it
     *         would for an informer of its own that could not sync
     */
    public void awaitSynced(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!synced) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new OperatorException("the Node informer of the node labeller did not sync within "
                            + timeout.toSeconds() + " s: is the labeller registered, may the operator list and watch "
                            + "nodes?");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OperatorException("interrupted while waiting for the Node informer", e);
                }
            }
        }
    }

    private synchronized void synced(boolean value) {
        synced = value;
        notifyAll();
    }

    private void fire(Node old, Node now) {
        for (Listener listener : listeners) {
            try {
                listener.onNode(old, now);
            } catch (RuntimeException e) {
                LOG.warnf(e, "node %s: a listener failed", (now != null ? now : old).getMetadata().getName());
            }
        }
    }

    /** Registered with the node labeller: the SDK tells it of every primary (Node) event. */
    private final class Fanout extends AbstractEventSource<Node, Node> implements ResourceEventAware<Node> {

        Fanout() {
            super(Node.class, "node-fanout");
        }

        @Override
        public Set<Node> getSecondaryResources(Node primary) {
            return Set.of();
        }

        @Override
        public void onResourceCreated(Node node) {
            fire(null, node);
        }

        @Override
        public void onResourceUpdated(Node now, Node old) {
            fire(old, now);
        }

        @Override
        public void onResourceDeleted(Node node) {
            fire(node, null);
        }

        @Override
        public void start() {
            super.start();
            synced(true); // the SDK starts the other sources once the controller's own informer has synced
        }

        @Override
        public void stop() {
            synced(false);
            super.stop();
        }
    }
}

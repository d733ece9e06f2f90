package io.kmm.node;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;

/**
 * One informer's cache and events, shared by a controller that owns the informer with another that would otherwise
 * open a second watch of the same objects. Each watch event is a whole object parsed once per informer that
 * receives it: on a large cluster that parsing is most of the operator's CPU. The owner calls {@link #attach} with
 * its cache, {@link #fire} for every event and {@link #synced(boolean)} when the informer has (or no longer has) a
 * full list; the other controller {@link #listen}s, reads, and waits in its start for the sync.
 */
public abstract class SharedCache<R extends HasMetadata> {

    private static final Logger LOG = Logger.getLogger(SharedCache.class);

    /** Told of every event on the informer's thread: quick, never blocking. */
    public interface Listener<R> {
        /**
         * @param old the object before (null: added)
         * @param now the object after (null: deleted)
         */
        void on(R old, R now);
    }

    private final String what;
    private final List<Listener<R>> listeners = new CopyOnWriteArrayList<>();
    private volatile IndexerResourceCache<R> cache;
    private volatile boolean synced;

    protected SharedCache(String what) {
        this.what = what;
    }

    protected void attachCache(IndexerResourceCache<R> cache) {
        this.cache = cache;
    }

    public void listen(Listener<R> listener) {
        listeners.add(listener);
    }

    public Stream<R> list(Predicate<R> predicate) {
        IndexerResourceCache<R> c = cache;
        return c == null ? Stream.empty() : c.list(predicate);
    }

    public Optional<R> get(ResourceID id) {
        IndexerResourceCache<R> c = cache;
        return c == null ? Optional.empty() : c.get(id);
    }

    public boolean synced() {
        return synced;
    }

    /**
     * Waits until the owner's informer has synced (controllers start in parallel).
     *
     * @throws OperatorException when it has not within {@code timeout}: the caller's start fails, as it would for an
     *         informer of its own that could not sync
     */
    public void awaitSynced(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!synced) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new OperatorException("the " + what + " did not sync within " + timeout.toSeconds()
                            + " s: is its controller registered, may the operator list and watch them?");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OperatorException("interrupted while waiting for the " + what, e);
                }
            }
        }
    }

    protected synchronized void synced(boolean value) {
        synced = value;
        notifyAll();
    }

    protected void fire(R old, R now) {
        for (Listener<R> listener : listeners) {
            try {
                listener.on(old, now);
            } catch (RuntimeException e) {
                LOG.warnf(e, "%s: a listener failed on %s", what, (now != null ? now : old).getMetadata().getName());
            }
        }
    }

    /**
     * The event source the owner registers when the shared informer is its primary one: the Operator SDK tells it of
     * every add, update and delete ({@link ResourceEventAware}) before the owner's filters, on the informer's thread,
     * and starts it once the owner's informer has synced.
     */
    protected AbstractEventSource<R, R> fanout(IndexerResourceCache<R> primaryCache, Class<R> type, String name) {
        attachCache(primaryCache);
        return new Fanout(type, name);
    }

    private final class Fanout extends AbstractEventSource<R, R> implements ResourceEventAware<R> {

        Fanout(Class<R> type, String name) {
            super(type, name);
        }

        @Override
        public Set<R> getSecondaryResources(R primary) {
            return Set.of();
        }

        @Override
        public void onResourceCreated(R resource) {
            fire(null, resource);
        }

        @Override
        public void onResourceUpdated(R now, R old) {
            fire(old, now);
        }

        @Override
        public void onResourceDeleted(R resource) {
            fire(resource, null);
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

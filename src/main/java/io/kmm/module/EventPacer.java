package io.kmm.module;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Passes on at most one event per key per interval, and never loses one: the first event after a quiet interval goes
 * at once; the events that follow within the interval become one event at its end. For node events to Modules:
 * while a fleet's kernels change (an upgrade reaches hundreds of nodes in seconds) every node event concerns every
 * Module that selects the node, and each would otherwise start one more full reconcile the moment the last one ended,
 * for as long as the nodes trickle in. A Module reconcile reads the whole cache, so reconciling once per interval
 * misses nothing; a single node's change (a kernel upgrade of one node) is still acted on at once.
 *
 * @param <K> the key (a Module)
 */
final class EventPacer<K> {

    /** Runs an action after a delay in nanoseconds. */
    interface Scheduler {
        void schedule(Runnable action, long delayNanos);
    }

    private final long intervalNanos;
    private final LongSupplier clock;
    private final Scheduler scheduler;
    private final Consumer<K> target;
    /** When each key last passed an event on. */
    private final Map<K, Long> lastPassed = new ConcurrentHashMap<>();
    /** Keys whose next event is already scheduled. */
    private final Set<K> due = ConcurrentHashMap.newKeySet();

    EventPacer(Duration interval, LongSupplier clock, Scheduler scheduler, Consumer<K> target) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.scheduler = scheduler;
        this.target = target;
    }

    void offer(K key) {
        if (due.contains(key)) {
            return; // already coming
        }
        long now = clock.getAsLong();
        Long last = lastPassed.get(key);
        long wait = last == null ? 0 : last + intervalNanos - now;
        if (wait <= 0) {
            pass(key, now);
        } else if (due.add(key)) {
            scheduler.schedule(() -> {
                due.remove(key);
                pass(key, clock.getAsLong());
            }, wait);
        }
    }

    private void pass(K key, long now) {
        if (lastPassed.size() > 10_000) { // keys of Modules long gone
            lastPassed.values().removeIf(t -> now - t > intervalNanos);
        }
        lastPassed.put(key, now);
        target.accept(key);
    }

    /** The scheduler of the operator: one daemon thread. */
    static Scheduler daemonThread(String name) {
        var executor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        return (action, delayNanos) -> executor.schedule(action, delayNanos, TimeUnit.NANOSECONDS);
    }
}

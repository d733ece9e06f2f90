package io.kmm.it;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.kmm.module.ModuleReconciled;

/** Counts Module reconciles in tests (JOSDK's Micrometer counters do not survive Quarkus test restarts). */
@ApplicationScoped
public class ReconcileCounter {

    private final AtomicLong count = new AtomicLong();

    void onReconciled(@Observes ModuleReconciled event) {
        count.incrementAndGet();
    }

    public long count() {
        return count.get();
    }
}

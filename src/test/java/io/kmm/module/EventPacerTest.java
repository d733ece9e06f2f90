package io.kmm.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Node events to Modules: the first at once, a burst as one more at the end of the interval, none lost. */
class EventPacerTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<String> passed = new ArrayList<>();
    /** Scheduled actions and when they are due. */
    final List<Object[]> timers = new ArrayList<>();
    final EventPacer<String> pacer = new EventPacer<>(Duration.ofSeconds(1), now::get,
            (action, delay) -> timers.add(new Object[] { now.get() + delay, action }), passed::add);

    void advance(long millis) {
        now.addAndGet(millis * 1_000_000L);
        for (Object[] t : new ArrayList<>(timers)) {
            if ((long) t[0] <= now.get()) {
                timers.remove(t);
                ((Runnable) t[1]).run();
            }
        }
    }

    @Test
    void aSingleEventGoesAtOnce() {
        pacer.offer("a");
        assertThat(passed).containsExactly("a");
        assertThat(timers).isEmpty();
        advance(5000);
        pacer.offer("a");
        assertThat(passed).containsExactly("a", "a");
    }

    @Test
    void aBurstBecomesOneEventPerIntervalAndTheLastIsNotLost() {
        pacer.offer("a");
        for (int i = 0; i < 50; i++) { // 50 node events in 2.5 s
            advance(50);
            pacer.offer("a");
        }
        advance(1000);
        // the first at once, then one at the end of each interval: 0 s, 1 s, 2 s, and 3 s for the last events
        assertThat(passed).hasSize(4);
        advance(5000);
        assertThat(passed).hasSize(4);
        assertThat(timers).isEmpty();
    }

    @Test
    void keysArePacedApart() {
        pacer.offer("a");
        pacer.offer("b");
        pacer.offer("a");
        assertThat(passed).containsExactly("a", "b");
        advance(1000);
        assertThat(passed).containsExactly("a", "b", "a");
    }
}

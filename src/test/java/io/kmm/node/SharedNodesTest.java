package io.kmm.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.kmm.TestModules;

/** The one Node informer's events reach every listener, with the node before and after; its sync gates readers. */
class SharedNodesTest {

    @Test
    void everyEventReachesTheListenersAndAFailingListenerStopsNoOther() {
        SharedNodes shared = new SharedNodes();
        List<String> seen = new ArrayList<>();
        shared.listen((old, now) -> {
            throw new IllegalStateException("a broken listener");
        });
        shared.listen((old, now) -> seen.add((old == null ? "-" : old.getStatus().getNodeInfo().getKernelVersion())
                + ">" + (now == null ? "-" : now.getStatus().getNodeInfo().getKernelVersion())));
        @SuppressWarnings("unchecked")
        ResourceEventAware<Node> fanout = (ResourceEventAware<Node>) shared.attach(null);
        Node v1 = TestModules.node("n1", "6.1.0", Map.of());
        Node v2 = TestModules.node("n1", "6.2.0", Map.of());
        fanout.onResourceCreated(v1);
        fanout.onResourceUpdated(v2, v1);
        fanout.onResourceDeleted(v2);
        assertThat(seen).containsExactly("->6.1.0", "6.1.0>6.2.0", "6.2.0>-");
    }

    @Test
    void readersWaitForTheSyncAndGiveUpWithAClearError() throws Exception {
        SharedNodes shared = new SharedNodes();
        var fanout = shared.attach(null);
        assertThatThrownBy(() -> shared.awaitSynced(Duration.ofMillis(50))).isInstanceOf(OperatorException.class)
                .hasMessageContaining("did not sync within");
        Thread waiter = new Thread(() -> shared.awaitSynced(Duration.ofSeconds(30)));
        waiter.start();
        fanout.start();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).as("woken by the start").isFalse();
        assertThat(shared.synced()).isTrue();
        fanout.stop();
        assertThat(shared.synced()).isFalse();
    }
}

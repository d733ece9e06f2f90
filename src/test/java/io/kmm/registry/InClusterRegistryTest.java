package io.kmm.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The in-cluster registry's two addresses. */
class InClusterRegistryTest {

    private final InClusterRegistry registry = new InClusterRegistry("localhost:30500",
            "kmm-registry.kmm-registry.svc:5000", true);

    @Test
    void imagesOfTheNodeAddressAreReachedAtTheServiceAddress() {
        assertThat(registry.names("localhost:30500/ns/mod:6.1")).isTrue();
        assertThat(registry.forPods("localhost:30500/ns/mod:6.1"))
                .isEqualTo("kmm-registry.kmm-registry.svc:5000/ns/mod:6.1");
        assertThat(registry.forPods("localhost:30500/ns/mod@sha256:" + "a".repeat(64)))
                .isEqualTo("kmm-registry.kmm-registry.svc:5000/ns/mod@sha256:" + "a".repeat(64));
    }

    @Test
    void otherImagesAreLeftAsTheyAre() {
        for (String image : new String[] { "localhost:30501/ns/mod:6.1", "localhost/ns/mod:6.1",
                "quay.io/localhost:30500/mod:1", "localhost:305000/ns/mod:1" }) {
            assertThat(registry.names(image)).as(image).isFalse();
            assertThat(registry.forPods(image)).isEqualTo(image);
        }
    }

    @Test
    void bothAddressesAreNeeded() {
        assertThatThrownBy(() -> new InClusterRegistry("", "svc:5000", true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

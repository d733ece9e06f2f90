package io.kmm.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A registry a Module names is not trusted: one on 127.0.0.1 (started here) that answers slowly, hugely, with a
 * bearer challenge pointing at a metadata service, or redirects there; and registries at local or link-local
 * addresses, refused before anything is sent.
 */
class HostileRegistryTest {

    static HostileRegistry registry;
    static String host;
    static final RegistryClientImageChecker ALLOWING_LOCAL = new RegistryClientImageChecker(Duration.ofSeconds(2),
            true);
    static final RegistryClientImageChecker DEFAULT = new RegistryClientImageChecker(Duration.ofSeconds(2));

    @BeforeAll
    static void start() throws IOException {
        registry = HostileRegistry.start();
        host = registry.host();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void aSlowRegistryEndsAtTheTimeout() {
        ImageCheck check = ALLOWING_LOCAL.check(host + "/slow/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(check.message()).contains("did not answer within 2s");
        ImageCheck trickle = ALLOWING_LOCAL.checkWithLabels(host + "/trickle/driver:1", Optional.empty(), true);
        assertThat(trickle.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(trickle.message()).contains("did not answer within 2s");
    }

    @Test
    void aHugeAnswerIsNotRead() {
        ImageCheck check = ALLOWING_LOCAL.checkWithLabels(host + "/huge/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(check.message()).contains("larger than 4096 KiB");
        // a HEAD answered 405: the check asks with GET, and stops reading there too
        ImageCheck head = ALLOWING_LOCAL.check(host + "/huge/driver:1", Optional.empty(), true);
        assertThat(head.message()).contains("larger than 4096 KiB");
    }

    @Test
    void aRedirectToAMetadataServiceIsRefused() {
        // (local addresses allowed here: the test registry is on 127.0.0.1) the redirect's target is link-local
        ImageCheck check = ALLOWING_LOCAL.check(host + "/metadata/driver:1", Optional.empty(), true);
        assertThat(check.message()).contains("is at 169.254.169.254", "a link-local address", "never asks");
        assertThat(ALLOWING_LOCAL.check("169.254.169.254/latest:1", Optional.empty(), true).message())
                .contains("is at 169.254.169.254");
        // with the default, this machine's addresses are refused too, before anything is sent
        assertThat(DEFAULT.check(host + "/metadata/driver:1", Optional.empty(), true).message())
                .contains("is at 127.0.0.1", "kmm.registry.allow-local-addresses");
        assertThat(DEFAULT.check("localhost:5000/x:1", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.UNREACHABLE);
    }

    @Test
    void whatARegistrySaysIsCutAndEscapedInMessages() {
        ImageCheck check = ALLOWING_LOCAL.check(host + "/odd/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.ABSENT);
        assertThat(RegistryClientImageChecker.shown("a\nb\u0000" + "x".repeat(500))).doesNotContain("\n", "\u0000")
                .hasSizeLessThanOrEqualTo(RegistryClientImageChecker.MAX_QUOTED + 3);
    }
}

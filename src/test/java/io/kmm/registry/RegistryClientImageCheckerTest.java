package io.kmm.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Image existence against a real registry on 127.0.0.1. */
class RegistryClientImageCheckerTest {

    static TestRegistry open;
    static TestRegistry secured;
    static final RegistryClientImageChecker CHECKER = new RegistryClientImageChecker(java.time.Duration.ofSeconds(3),
            true);
    static final Optional<RegistryCredentials> GOOD = Optional.of(new RegistryCredentials("kmm", "s3cret"));

    @BeforeAll
    static void start() throws Exception {
        open = TestRegistry.anonymous();
        secured = TestRegistry.withBasicAuth("kmm", "s3cret");
        open.push("vendor/driver", "5.4.0");
        secured.push("vendor/driver", "5.4.0");
    }

    @AfterAll
    static void stop() throws Exception {
        open.close();
        secured.close();
    }

    @Test
    void presentTagOverInsecureHttp() {
        assertThat(CHECKER.check(open.host() + "/vendor/driver:5.4.0", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.PRESENT);
    }

    @Test
    void labelsOfAnImageWithBasicAuth() throws Exception {
        secured.push("vendor/signed", "5.4.0", java.util.Map.of("ooto.sigs.k8s.io/sign-inputs-hash", "abc123",
                "other", "x"));
        ImageCheck check = CHECKER.checkWithLabels(secured.host() + "/vendor/signed:5.4.0", GOOD, true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.PRESENT);
        assertThat(check.labels()).containsEntry("ooto.sigs.k8s.io/sign-inputs-hash", "abc123")
                .containsEntry("other", "x");
        assertThat(CHECKER.checkWithLabels(open.host() + "/vendor/driver:5.4.0", Optional.empty(), true).labels())
                .as("an image without labels").isEmpty();
        assertThat(CHECKER.check(open.host() + "/vendor/driver:5.4.0", Optional.empty(), true).labels())
                .as("not asked for").isNull();
        assertThat(CHECKER.checkWithLabels(open.host() + "/vendor/driver:9", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.ABSENT);
    }

    @Test
    void absentTagAndAbsentRepository() {
        assertThat(CHECKER.check(open.host() + "/vendor/driver:6.0.0", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.ABSENT);
        assertThat(CHECKER.check(open.host() + "/vendor/nothing-here:1", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.ABSENT);
    }

    @Test
    void plainHttpRegistryWithoutInsecureIsUnreachableWithAHint() {
        ImageCheck check = CHECKER.check(open.host() + "/vendor/driver:5.4.0", Optional.empty(), false);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(check.message()).contains("insecure");
    }

    @Test
    void credentialsRequiredAndGiven() {
        assertThat(CHECKER.check(secured.host() + "/vendor/driver:5.4.0", GOOD, true).outcome())
                .isEqualTo(ImageCheck.Outcome.PRESENT);
        assertThat(CHECKER.check(secured.host() + "/vendor/driver:9.9.9", GOOD, true).outcome())
                .isEqualTo(ImageCheck.Outcome.ABSENT);
    }

    @Test
    void credentialsMissingOrWrong() {
        ImageCheck none = CHECKER.check(secured.host() + "/vendor/driver:5.4.0", Optional.empty(), true);
        assertThat(none.outcome()).isEqualTo(ImageCheck.Outcome.UNAUTHORIZED);
        assertThat(none.message()).contains("spec.imageRepoSecret");
        ImageCheck wrong = CHECKER.check(secured.host() + "/vendor/driver:5.4.0",
                Optional.of(new RegistryCredentials("kmm", "wrong-password")), true);
        assertThat(wrong.outcome()).isEqualTo(ImageCheck.Outcome.UNAUTHORIZED);
        assertThat(wrong.message()).doesNotContain("wrong-password");
    }

    @Test
    void unreachableRegistry() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        ImageCheck check = CHECKER.check("127.0.0.1:" + port + "/vendor/driver:1", Optional.empty(), true);
        assertThat(check.outcome()).isEqualTo(ImageCheck.Outcome.UNREACHABLE);
        assertThat(check.message()).contains("cannot be reached");
    }

    @Test
    void invalidReference() {
        assertThat(CHECKER.check("Not A Valid//Image::", Optional.empty(), true).outcome())
                .isEqualTo(ImageCheck.Outcome.INVALID_REFERENCE);
    }
}

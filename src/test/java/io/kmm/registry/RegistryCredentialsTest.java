package io.kmm.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class RegistryCredentialsTest {

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void authEntryAndUsernamePasswordEntries() {
        String json = "{\"auths\":{\"quay.io\":{\"auth\":\"" + b64("robot:tok:en") + "\"},"
                + "\"https://index.docker.io/v1/\":{\"username\":\"me\",\"password\":\"pw\"}}}";
        assertThat(RegistryCredentials.find(json, "quay.io")).contains(new RegistryCredentials("robot", "tok:en"));
        assertThat(RegistryCredentials.find(json, "registry-1.docker.io"))
                .contains(new RegistryCredentials("me", "pw"));
        assertThat(RegistryCredentials.find(json, "ghcr.io")).isEmpty();
    }

    @Test
    void malformedContentIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> RegistryCredentials.find("{not json secret-value", "quay.io"))
                .hasMessageNotContaining("secret-value").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> RegistryCredentials.find("{\"auths\":{\"quay.io\":{\"auth\":\"%%%\"}}}", "quay.io"))
                .hasMessageContaining("not base64");
        assertThatThrownBy(() -> RegistryCredentials.find("{}", "quay.io")).hasMessageContaining("auths");
    }

    @Test
    void passwordIsNotInToString() {
        assertThat(new RegistryCredentials("u", "hunter2").toString()).doesNotContain("hunter2");
    }
}

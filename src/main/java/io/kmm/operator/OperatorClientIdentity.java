package io.kmm.operator;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;

/**
 * Names the operator in every request it sends ({@code User-Agent: kmm-operator/<version>}), so that API server
 * audit logs and request metrics tell its traffic apart from other clients of the same service account.
 */
@Singleton
public class OperatorClientIdentity implements KubernetesConfigCustomizer {

    public static final String USER_AGENT_PREFIX = "kmm-operator/";

    @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown")
    String version;

    @Override
    public void customize(Config config) {
        config.setUserAgent(USER_AGENT_PREFIX + version);
    }
}

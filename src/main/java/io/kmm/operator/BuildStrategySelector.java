package io.kmm.operator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kmm.build.BuildStrategy;
import io.kmm.build.kaniko.KanikoBuildStrategy;
import io.kmm.build.openshift.OpenShiftBuildStrategy;
import io.kmm.config.KmmConfig;

/** Chooses the one BuildStrategy of this operator, once, at start-up. The only place that knows about platforms. */
@Singleton
public class BuildStrategySelector {

    private static final Logger LOG = Logger.getLogger(BuildStrategySelector.class);
    public static final String OPENSHIFT_BUILD_API = "build.openshift.io/v1";

    @Produces
    @ApplicationScoped
    BuildStrategy strategy(KmmConfig config, KubernetesClient client, KanikoBuildStrategy kaniko,
            OpenShiftBuildStrategy openshift) {
        KmmConfig.StrategyChoice choice = config.build().strategy();
        boolean useOpenShift = switch (choice) {
            case KANIKO -> false;
            case OPENSHIFT -> true;
            case AUTO -> servesOpenShiftBuilds(client);
        };
        BuildStrategy chosen = useOpenShift ? openshift : kaniko;
        LOG.infof("In-cluster builds use %s (kmm.build.strategy=%s)", useOpenShift ? "OpenShift BuildConfigs"
                : "Kaniko Jobs", choice.name().toLowerCase());
        return chosen;
    }

    static boolean servesOpenShiftBuilds(KubernetesClient client) {
        try {
            return client.supports(OPENSHIFT_BUILD_API, "BuildConfig");
        } catch (RuntimeException e) {
            LOG.warnf("Could not ask the API server whether it serves %s (%s): using Kaniko", OPENSHIFT_BUILD_API,
                    e.getMessage());
            return false;
        }
    }
}

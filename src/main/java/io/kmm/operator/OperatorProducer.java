package io.kmm.operator;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.kmm.config.KmmConfig;
import io.quarkiverse.operatorsdk.runtime.CRDUtils;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;

/**
 * Builds the Operator: applies the CRDs when configured to (dev and test), registers every controller, and installs
 * the shutdown hook. It replaces quarkus-operator-sdk's default producer. With Node Feature Discovery as the kernel
 * label's source the node labeller still runs (it writes the module-ready labels and holds the Node informer the Module
 * controller reads) but writes no kernel label.
 */
@Singleton
public class OperatorProducer {

    private static final Logger LOG = Logger.getLogger(OperatorProducer.class);

    @Produces
    @ApplicationScoped
    Operator operator(QuarkusConfigurationService configuration, Instance<Reconciler<? extends HasMetadata>> reconcilers,
            KmmConfig kmm) {
        var crdInfo = configuration.getCRDGenerationInfo();
        if (crdInfo.isApplyCRDs()) {
            for (String crd : crdInfo.getGenerated()) {
                CRDUtils.applyCRD(configuration.getKubernetesClient(), crdInfo, crd);
            }
        }
        Operator operator = new Operator(configuration);
        if (!kmm.kernelLabelSource().nodeLabellerEnabled()) {
            LOG.infof("kmm.kernel-label-source=%s: KMM writes no kernel label, nodes are selected by %s",
                    kmm.kernelLabelSource().name().toLowerCase(), kmm.kernelLabelSource().labelKey());
        }
        for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
            operator.register(reconciler);
        }
        int timeout = configuration.getTerminationTimeoutSeconds();
        if (timeout != QuarkusConfigurationService.UNSET_TERMINATION_TIMEOUT_SECONDS) {
            operator.installShutdownHook(Duration.ofSeconds(timeout));
        }
        return operator;
    }
}

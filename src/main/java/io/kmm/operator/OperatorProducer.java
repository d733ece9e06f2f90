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
import io.kmm.node.NodeKernelLabeller;
import io.quarkiverse.operatorsdk.runtime.CRDUtils;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;

/**
 * Builds the Operator with the controllers this configuration asks for. It replaces quarkus-operator-sdk's default
 * producer, which registers every reconciler, so that the node labeller does not run (nor cache nodes) when Node
 * Feature Discovery provides the kernel label.
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
        for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
            if (reconciler instanceof NodeKernelLabeller && !kmm.kernelLabelSource().nodeLabellerEnabled()) {
                LOG.infof("kmm.kernel-label-source=%s: the node kernel labeller is off, nodes are selected by %s",
                        kmm.kernelLabelSource().name().toLowerCase(), kmm.kernelLabelSource().labelKey());
                continue;
            }
            operator.register(reconciler);
        }
        int timeout = configuration.getTerminationTimeoutSeconds();
        if (timeout != QuarkusConfigurationService.UNSET_TERMINATION_TIMEOUT_SECONDS) {
            operator.installShutdownHook(Duration.ofSeconds(timeout));
        }
        return operator;
    }
}

package io.kmm.api.crd;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Finishes the CRD that quarkus-operator-sdk generates from the API classes (build time only,
 * {@code quarkus.operator-sdk.crd.post-processor}), with what the generator cannot express.
 * <p>
 * The design's API group {@code ooto.sigs.k8s.io} ends in {@code .k8s.io}, a group the Kubernetes API server
 * protects: it rejects a CRD of such a group unless it carries the {@value #API_APPROVAL} annotation. The group has
 * had no Kubernetes API review, so the annotation says so (a value starting with "unapproved" is accepted; the CRD
 * then reports the condition {@code KubernetesAPIApprovalPolicyConformant=False}).
 */
public class ModuleCrdPostProcessor implements CRDPostProcessor {

    public static final String API_APPROVAL = "api-approved.kubernetes.io";
    public static final String API_APPROVAL_VALUE = "unapproved, the design's group ooto.sigs.k8s.io has had no "
            + "Kubernetes API review";

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        Map<String, String> annotations = crd.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(crd.getMetadata().getAnnotations());
        annotations.put(API_APPROVAL, API_APPROVAL_VALUE);
        crd.getMetadata().setAnnotations(annotations);
        return crd;
    }
}

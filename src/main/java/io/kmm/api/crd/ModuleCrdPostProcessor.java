package io.kmm.api.crd;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;

/**
 * Finishes the CRD that quarkus-operator-sdk generates from the API classes (build time only,
 * {@code quarkus.operator-sdk.crd.post-processor}), with what the generator cannot express.
 * <p>
 * The design's API group {@code ooto.sigs.k8s.io} ends in {@code .k8s.io}, a group the Kubernetes API server
 * protects: it rejects a CRD of such a group unless it carries the {@value #API_APPROVAL} annotation. The group has
 * had no Kubernetes API review, so the annotation says so (a value starting with "unapproved" is accepted; the CRD
 * then reports the condition {@code KubernetesAPIApprovalPolicyConformant=False}).
 * <p>
 * The generator orders printer columns by JSON path; {@code kubectl get modules} shows them in the order a user reads
 * them instead ({@link #COLUMN_ORDER}, like {@code kubectl get deployments}: readiness first, age last).
 */
public class ModuleCrdPostProcessor implements CRDPostProcessor {

    public static final String API_APPROVAL = "api-approved.kubernetes.io";
    public static final String API_APPROVAL_VALUE = "unapproved, the design's group ooto.sigs.k8s.io has had no "
            + "Kubernetes API review";

    /** The printer columns, in the order {@code kubectl get modules} shows them (after NAME). */
    public static final List<String> COLUMN_ORDER = List.of("Ready", "Nodes", "Available", "Age");

    /** The printer columns, in the order {@code kubectl get preflightvalidations} shows them (after NAME). */
    public static final List<String> PREFLIGHT_COLUMN_ORDER = List.of("Passed", "Success", "Failure", "InProgress",
            "Age", "Reason");

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition v1) {
            List<String> order = io.kmm.api.v1alpha1.PreflightValidation.KIND.equals(v1.getSpec().getNames().getKind())
                    ? PREFLIGHT_COLUMN_ORDER : COLUMN_ORDER;
            for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
                version.setAdditionalPrinterColumns(ordered(version.getAdditionalPrinterColumns(), order));
                if (order == PREFLIGHT_COLUMN_ORDER) {
                    var kernels = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties()
                            .get("kernelVersions");
                    kernels.getItems().getSchema().setMaxLength(64L);
                    kernels.getItems().getSchema().setPattern(
                            io.kmm.api.v1alpha1.PreflightValidationSpec.KERNEL_PATTERN);
                }
            }
        }
        Map<String, String> annotations = crd.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(crd.getMetadata().getAnnotations());
        annotations.put(API_APPROVAL, API_APPROVAL_VALUE);
        crd.getMetadata().setAnnotations(annotations);
        return crd;
    }

    static List<CustomResourceColumnDefinition> ordered(List<CustomResourceColumnDefinition> columns) {
        return ordered(columns, COLUMN_ORDER);
    }

    static List<CustomResourceColumnDefinition> ordered(List<CustomResourceColumnDefinition> columns,
            List<String> order) {
        if (columns == null) {
            return null;
        }
        List<CustomResourceColumnDefinition> sorted = new ArrayList<>(columns);
        sorted.sort(Comparator.comparingInt(c -> {
            int i = order.indexOf(c.getName());
            return i < 0 ? order.size() : i; // a column not listed goes last, in the generator's order
        }));
        return sorted;
    }
}

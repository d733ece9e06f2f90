package io.kmm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Checks every Module against kernels that no node runs yet, before the nodes move to them: which mapping matches,
 * which image, whether it exists, and (with {@code spec.pushBuiltImage}) builds and signs it ahead of time.
 * Cluster-scoped. It never touches loaders or nodes.
 */
@Group(Module.GROUP)
@Version(Module.VERSION)
@Kind(PreflightValidation.KIND)
@Plural("preflightvalidations")
@Singular("preflightvalidation")
@ShortNames("preflight")
@AdditionalPrinterColumn(name = "Passed", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Passed\")].status",
        getDescription = "True: every Module is ready for the kernels; False: one is not; Unknown: still checking")
@AdditionalPrinterColumn(name = "Success", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.success", getDescription = "Module and kernel pairs that will load")
@AdditionalPrinterColumn(name = "Failure", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.failure", getDescription = "Module and kernel pairs that will not load")
@AdditionalPrinterColumn(name = "InProgress", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.inProgress", getDescription = "Module and kernel pairs still being checked or built")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Passed\")].reason",
        getDescription = "PreflightPassed, PreflightFailed or PreflightInProgress")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
        jsonPath = ".metadata.creationTimestamp")
public class PreflightValidation extends CustomResource<PreflightValidationSpec, PreflightValidationStatus> {

    public static final String KIND = "PreflightValidation";
}

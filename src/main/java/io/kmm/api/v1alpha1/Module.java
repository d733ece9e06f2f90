package io.kmm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An out-of-tree kernel module that KMM loads into the kernels of the selected nodes through one
 * ModuleLoader DaemonSet per kernel.
 */
@Group(Module.GROUP)
@Version(Module.VERSION)
@Kind("Module")
@Plural("modules")
@Singular("module")
@ShortNames("mod")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        getDescription = "Whether every targeted node runs an available module loader")
@AdditionalPrinterColumn(name = "Nodes", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.targetedNodes",
        getDescription = "Selected nodes whose kernel matches a kernel mapping")
@AdditionalPrinterColumn(name = "Available", type = AdditionalPrinterColumn.Type.INTEGER,
        jsonPath = ".status.availableNodes",
        getDescription = "Targeted nodes running an available module loader pod")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE,
        jsonPath = ".metadata.creationTimestamp")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        getDescription = "Why Ready is what it is: AllLoadersAvailable, NoTargetedNodes (loaded nowhere), "
                + "LoadersNotAvailable or Degraded")
@ValidationRule(value = "self.metadata.name.size() <= 63",
        message = "Module names are at most 63 characters: KMM puts the name in a label value")
public class Module extends CustomResource<ModuleSpec, ModuleStatus> implements Namespaced {

    public static final String GROUP = "ooto.sigs.k8s.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "Module";
}

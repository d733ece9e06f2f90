package io.kmm.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.api.model.Condition;

/** Observed state of a {@link Module}, written by the operator only. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModuleStatus {

    @JsonPropertyDescription("The metadata.generation of the Module this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Conditions: Ready (every targeted node runs an available loader, and the device plugin "
            + "when set), Progressing (loader or device plugin pods are rolling out) and Degraded (an error in the "
            + "Module that the user must fix).")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Nodes matching the selector.")
    private Integer selectedNodes;

    @JsonPropertyDescription("Selected nodes whose kernel matches a kernel mapping: they should run a module loader.")
    private Integer targetedNodes;

    @JsonPropertyDescription("Targeted nodes that run an available module loader pod.")
    private Integer availableNodes;

    @JsonPropertyDescription("One entry per kernel run by targeted nodes.")
    private List<KernelStatus> kernels = new ArrayList<>();

    @JsonPropertyDescription("Kernels of selected nodes that no kernel mapping matches; these nodes get no loader.")
    private List<UnmatchedKernel> unmatchedKernels = new ArrayList<>();

    @JsonPropertyDescription("How many kernels (of kernels and unmatchedKernels together) the status does not list: it "
            + "lists 100 of each at most, so that it always fits in the object. Unset when it lists them all.")
    private Integer kernelsNotListed;

    @JsonPropertyDescription("The device plugin DaemonSet, when spec.devicePlugin is set.")
    private DaemonSetSummary devicePlugin;

    @JsonPropertyDescription("With spec.version: how many nodes run it, and where a Staged rollout stands.")
    private VersionRollout upgrade;

    @JsonPropertyDescription("Things that work but probably not as intended, e.g. a loader without a preStop hook, "
            + "a missing imageRepoSecret, or no node targeted. Omitted when there are none.")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    private List<String> warnings = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public Integer getSelectedNodes() {
        return selectedNodes;
    }

    public void setSelectedNodes(Integer selectedNodes) {
        this.selectedNodes = selectedNodes;
    }

    public Integer getTargetedNodes() {
        return targetedNodes;
    }

    public void setTargetedNodes(Integer targetedNodes) {
        this.targetedNodes = targetedNodes;
    }

    public Integer getAvailableNodes() {
        return availableNodes;
    }

    public void setAvailableNodes(Integer availableNodes) {
        this.availableNodes = availableNodes;
    }

    public List<KernelStatus> getKernels() {
        return kernels;
    }

    public void setKernels(List<KernelStatus> kernels) {
        this.kernels = kernels;
    }

    public List<UnmatchedKernel> getUnmatchedKernels() {
        return unmatchedKernels;
    }

    public void setUnmatchedKernels(List<UnmatchedKernel> unmatchedKernels) {
        this.unmatchedKernels = unmatchedKernels;
    }

    public Integer getKernelsNotListed() {
        return kernelsNotListed;
    }

    public void setKernelsNotListed(Integer kernelsNotListed) {
        this.kernelsNotListed = kernelsNotListed;
    }

    public DaemonSetSummary getDevicePlugin() {
        return devicePlugin;
    }

    public void setDevicePlugin(DaemonSetSummary devicePlugin) {
        this.devicePlugin = devicePlugin;
    }

    public VersionRollout getUpgrade() {
        return upgrade;
    }

    public void setUpgrade(VersionRollout upgrade) {
        this.upgrade = upgrade;
    }

    public List<String> getWarnings() {
        return warnings;
    }

    public void setWarnings(List<String> warnings) {
        this.warnings = warnings;
    }

    /** Value equality: the operator writes a status only when it differs from the one it read. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        ModuleStatus other = (ModuleStatus) o;
        return java.util.Objects.equals(observedGeneration, other.observedGeneration) && java.util.Objects.equals(conditions, other.conditions) && java.util.Objects.equals(selectedNodes, other.selectedNodes) && java.util.Objects.equals(targetedNodes, other.targetedNodes) && java.util.Objects.equals(availableNodes, other.availableNodes) && java.util.Objects.equals(kernels, other.kernels) && java.util.Objects.equals(unmatchedKernels, other.unmatchedKernels) && java.util.Objects.equals(kernelsNotListed, other.kernelsNotListed) && java.util.Objects.equals(devicePlugin, other.devicePlugin) && java.util.Objects.equals(upgrade, other.upgrade) && java.util.Objects.equals(warnings, other.warnings);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(observedGeneration, conditions, selectedNodes, targetedNodes, availableNodes, kernels, unmatchedKernels, kernelsNotListed, devicePlugin, upgrade, warnings);
    }
}

package io.kmm.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.kubernetes.api.model.Condition;

/** Observed state of a {@link PreflightValidation}, written by the operator only. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreflightValidationStatus {

    @JsonPropertyDescription("The metadata.generation this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("Passed: True when every Module will load on every kernel, False when one will not, "
            + "Unknown while checks or builds go on.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Module and kernel pairs with verdict Success.")
    private Integer success;

    @JsonPropertyDescription("Module and kernel pairs with verdict Failure.")
    private Integer failure;

    @JsonPropertyDescription("Module and kernel pairs with verdict InProgress.")
    private Integer inProgress;

    @JsonPropertyDescription("One entry per Module and kernel, failures first (at most 500 are listed).")
    private List<PreflightModuleStatus> modules = new ArrayList<>();

    @JsonPropertyDescription("How many Module and kernel pairs the list leaves out. Unset when it lists them all.")
    private Integer modulesNotListed;

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

    public Integer getSuccess() {
        return success;
    }

    public void setSuccess(Integer success) {
        this.success = success;
    }

    public Integer getFailure() {
        return failure;
    }

    public void setFailure(Integer failure) {
        this.failure = failure;
    }

    public Integer getInProgress() {
        return inProgress;
    }

    public void setInProgress(Integer inProgress) {
        this.inProgress = inProgress;
    }

    public List<PreflightModuleStatus> getModules() {
        return modules;
    }

    public void setModules(List<PreflightModuleStatus> modules) {
        this.modules = modules;
    }

    public Integer getModulesNotListed() {
        return modulesNotListed;
    }

    public void setModulesNotListed(Integer modulesNotListed) {
        this.modulesNotListed = modulesNotListed;
    }

    /** Value equality: the operator writes a status only when it differs from the one it read. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PreflightValidationStatus other)) {
            return false;
        }
        return Objects.equals(observedGeneration, other.observedGeneration)
                && Objects.equals(conditions, other.conditions)
                && Objects.equals(success, other.success) && Objects.equals(failure, other.failure)
                && Objects.equals(inProgress, other.inProgress) && Objects.equals(modules, other.modules)
                && Objects.equals(modulesNotListed, other.modulesNotListed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, success, failure, inProgress, modules, modulesNotListed);
    }
}

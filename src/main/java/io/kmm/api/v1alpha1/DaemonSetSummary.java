package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Name and rollout counters of a DaemonSet KMM manages. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DaemonSetSummary {

    @JsonPropertyDescription("Name of the DaemonSet.")
    private String daemonSet;

    @JsonPropertyDescription("Pods the DaemonSet controller wants to run (desiredNumberScheduled).")
    private Integer desired;

    @JsonPropertyDescription("Pods that are available (numberAvailable).")
    private Integer available;

    public DaemonSetSummary() {
    }

    public DaemonSetSummary(String daemonSet, Integer desired, Integer available) {
        this.daemonSet = daemonSet;
        this.desired = desired;
        this.available = available;
    }

    public String getDaemonSet() {
        return daemonSet;
    }

    public void setDaemonSet(String daemonSet) {
        this.daemonSet = daemonSet;
    }

    public Integer getDesired() {
        return desired;
    }

    public void setDesired(Integer desired) {
        this.desired = desired;
    }

    public Integer getAvailable() {
        return available;
    }

    public void setAvailable(Integer available) {
        this.available = available;
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
        DaemonSetSummary other = (DaemonSetSummary) o;
        return java.util.Objects.equals(daemonSet, other.daemonSet) && java.util.Objects.equals(desired, other.desired) && java.util.Objects.equals(available, other.available);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(daemonSet, desired, available);
    }
}

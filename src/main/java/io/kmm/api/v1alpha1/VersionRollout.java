package io.kmm.api.v1alpha1;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the nodes of a versioned Module stand against spec.version (status.upgrade). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionRollout {

    public static final String COMPLETE = "Complete";
    public static final String ROLLING = "Rolling";
    public static final String WAITING = "Waiting";
    public static final String PAUSED = "Paused";

    @JsonPropertyDescription("The version this describes (spec.version).")
    private String version;

    @JsonPropertyDescription("Complete (every targeted node runs the version Ready), Rolling (nodes are moving), "
            + "Waiting (Manual: nodes whose version label names another version stay on it) or Paused (Staged: a "
            + "batch did not become Ready in time, or spec.upgrade.paused).")
    private String phase;

    @JsonPropertyDescription("Targeted nodes that run this version Ready.")
    private Integer nodesReady;

    @JsonPropertyDescription("Targeted nodes (a kernel mapping matches their kernel).")
    private Integer nodesTotal;

    @JsonPropertyDescription("Staged: the number of the batch under way or last done (1 is the canary).")
    private Integer batch;

    @JsonPropertyDescription("Staged: when that batch was started (its timeout counts from here).")
    private String batchStarted;

    @JsonPropertyDescription("Staged: up to 10 nodes of that batch that are not Ready at the version yet.")
    private List<String> waitingFor = new ArrayList<>();

    @JsonPropertyDescription("Why the rollout is where it is.")
    private String message;

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public Integer getNodesReady() {
        return nodesReady;
    }

    public void setNodesReady(Integer nodesReady) {
        this.nodesReady = nodesReady;
    }

    public Integer getNodesTotal() {
        return nodesTotal;
    }

    public void setNodesTotal(Integer nodesTotal) {
        this.nodesTotal = nodesTotal;
    }

    public Integer getBatch() {
        return batch;
    }

    public void setBatch(Integer batch) {
        this.batch = batch;
    }

    public String getBatchStarted() {
        return batchStarted;
    }

    public void setBatchStarted(String batchStarted) {
        this.batchStarted = batchStarted;
    }

    public List<String> getWaitingFor() {
        return waitingFor;
    }

    public void setWaitingFor(List<String> waitingFor) {
        this.waitingFor = waitingFor;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRollout v && Objects.equals(version, v.version) && Objects.equals(phase, v.phase)
                && Objects.equals(nodesReady, v.nodesReady) && Objects.equals(nodesTotal, v.nodesTotal)
                && Objects.equals(batch, v.batch) && Objects.equals(batchStarted, v.batchStarted)
                && Objects.equals(waitingFor, v.waitingFor) && Objects.equals(message, v.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, phase, nodesReady, nodesTotal, batch, batchStarted, waitingFor, message);
    }
}

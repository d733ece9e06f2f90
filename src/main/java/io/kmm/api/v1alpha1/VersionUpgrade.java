package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * How the nodes of a versioned Module ({@code spec.version}) move to a new version: by the user, node by node with
 * the version node label ({@code Manual}), or by the operator in batches ({@code Staged}).
 */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VersionUpgrade {

    public static final String MANUAL = "Manual";
    public static final String STAGED = "Staged";
    public static final int DEFAULT_CANARY_NODES = 1;
    public static final int DEFAULT_BATCH_SIZE = 5;
    public static final String DEFAULT_BATCH_TIMEOUT = "10m";

    @JsonPropertyDescription("Manual (default): a node runs the version its node label "
            + "ooto.sigs.k8s.io/<namespace>.<module>.version names, or spec.version without one; the user moves "
            + "nodes by relabelling them. Staged: the operator writes that label itself, a canary batch first, then "
            + "batches of batchSize nodes, each once the previous batch runs the new version Ready.")
    @Pattern("^(Manual|Staged)$")
    private String strategy;

    @JsonPropertyDescription("Staged: how many nodes the first batch moves (default 1).")
    @Min(1)
    @Max(10000)
    private Integer canaryNodes;

    @JsonPropertyDescription("Staged: how many nodes each later batch moves (default 5).")
    @Min(1)
    @Max(10000)
    private Integer batchSize;

    @JsonPropertyDescription("Staged: how long a batch may take to run the new version Ready before the rollout "
            + "pauses (a Go duration such as 10m or 1h30m; default 10m). A paused rollout resumes by itself once "
            + "the batch becomes Ready (fix the image or the loader) and is reversed by setting spec.version back.")
    @Pattern("^([0-9]{1,4}(h|m|s))+$")
    private String batchTimeout;

    @JsonPropertyDescription("Staged: no new batch starts while true; nodes already moved keep their version.")
    private Boolean paused;

    public String getStrategy() {
        return strategy;
    }

    public void setStrategy(String strategy) {
        this.strategy = strategy;
    }

    public Integer getCanaryNodes() {
        return canaryNodes;
    }

    public void setCanaryNodes(Integer canaryNodes) {
        this.canaryNodes = canaryNodes;
    }

    public Integer getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
        this.batchSize = batchSize;
    }

    public String getBatchTimeout() {
        return batchTimeout;
    }

    public void setBatchTimeout(String batchTimeout) {
        this.batchTimeout = batchTimeout;
    }

    public Boolean getPaused() {
        return paused;
    }

    public void setPaused(Boolean paused) {
        this.paused = paused;
    }

    /** Whether the operator moves the nodes itself. */
    public boolean staged() {
        return STAGED.equals(strategy);
    }

    public int canaryOrDefault() {
        return canaryNodes == null ? DEFAULT_CANARY_NODES : canaryNodes;
    }

    public int batchSizeOrDefault() {
        return batchSize == null ? DEFAULT_BATCH_SIZE : batchSize;
    }

    /** The batch timeout; the schema allows only what this parses (h, m, s units). */
    public java.time.Duration timeoutOrDefault() {
        String text = batchTimeout == null ? DEFAULT_BATCH_TIMEOUT : batchTimeout;
        java.time.Duration total = java.time.Duration.ZERO;
        var m = java.util.regex.Pattern.compile("([0-9]{1,4})(h|m|s)").matcher(text);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "h" -> java.time.Duration.ofHours(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                default -> java.time.Duration.ofSeconds(n);
            });
        }
        return total.isZero() ? java.time.Duration.ofMinutes(10) : total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionUpgrade v && java.util.Objects.equals(strategy, v.strategy)
                && java.util.Objects.equals(canaryNodes, v.canaryNodes)
                && java.util.Objects.equals(batchSize, v.batchSize)
                && java.util.Objects.equals(batchTimeout, v.batchTimeout) && java.util.Objects.equals(paused, v.paused);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(strategy, canaryNodes, batchSize, batchTimeout, paused);
    }
}

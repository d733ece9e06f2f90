package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A kernel of selected nodes that no kernel mapping matches. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnmatchedKernel {

    @JsonPropertyDescription("Kernel version, as reported by the nodes.")
    private String kernel;

    @JsonPropertyDescription("Selected nodes running this kernel.")
    private Integer nodes;

    public UnmatchedKernel() {
    }

    public UnmatchedKernel(String kernel, int nodes) {
        this.kernel = kernel;
        this.nodes = nodes;
    }

    public String getKernel() {
        return kernel;
    }

    public void setKernel(String kernel) {
        this.kernel = kernel;
    }

    public Integer getNodes() {
        return nodes;
    }

    public void setNodes(Integer nodes) {
        this.nodes = nodes;
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
        UnmatchedKernel other = (UnmatchedKernel) o;
        return java.util.Objects.equals(kernel, other.kernel) && java.util.Objects.equals(nodes, other.nodes);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kernel, nodes);
    }
}

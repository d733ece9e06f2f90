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
}

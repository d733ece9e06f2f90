package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What KMM does for one kernel of a Module: the kernel, its image and its ModuleLoader DaemonSet. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KernelStatus extends DaemonSetSummary {

    @JsonPropertyDescription("Kernel version, as reported by the nodes.")
    private String kernel;

    @JsonPropertyDescription("Index of the kernel mapping that matched this kernel.")
    private Integer mapping;

    @JsonPropertyDescription("ModuleLoader image for this kernel, with variables substituted.")
    private String image;

    @JsonPropertyDescription("Selected nodes running this kernel.")
    private Integer nodes;

    @JsonPropertyDescription("Why this kernel has no (up-to-date) loader: an invalid mapping, a registry that cannot "
            + "be checked, a failed build.")
    private String error;

    @JsonPropertyDescription("The in-cluster build of this kernel's image (the unsigned image when it is signed), "
            + "while one exists.")
    private BuildStatus build;

    @JsonPropertyDescription("The signing build of this kernel's image, while one exists.")
    private BuildStatus sign;

    @JsonPropertyDescription("Where this kernel is: Building, Signing, RollingOut, Ready or Failed (see error).")
    private String phase;

    public BuildStatus getSign() {
        return sign;
    }

    public void setSign(BuildStatus sign) {
        this.sign = sign;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public BuildStatus getBuild() {
        return build;
    }

    public void setBuild(BuildStatus build) {
        this.build = build;
    }

    public String getKernel() {
        return kernel;
    }

    public void setKernel(String kernel) {
        this.kernel = kernel;
    }

    public Integer getMapping() {
        return mapping;
    }

    public void setMapping(Integer mapping) {
        this.mapping = mapping;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public Integer getNodes() {
        return nodes;
    }

    public void setNodes(Integer nodes) {
        this.nodes = nodes;
    }

    public String getError() {
        return error;
    }

    public void setError(String error) {
        this.error = error;
    }

    /** Value equality: the operator writes a status only when it differs from the one it read. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass() || !super.equals(o)) {
            return false;
        }
        KernelStatus other = (KernelStatus) o;
        return java.util.Objects.equals(kernel, other.kernel) && java.util.Objects.equals(mapping, other.mapping) && java.util.Objects.equals(image, other.image) && java.util.Objects.equals(nodes, other.nodes) && java.util.Objects.equals(error, other.error) && java.util.Objects.equals(build, other.build)
                && java.util.Objects.equals(sign, other.sign) && java.util.Objects.equals(phase, other.phase);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), kernel, mapping, image, nodes, error, build, sign, phase);
    }
}

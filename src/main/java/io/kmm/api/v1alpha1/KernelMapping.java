package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Maps a kernel (exact name or regular expression) to a ModuleLoader image. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.literal) != has(self.regexp)",
        message = "set exactly one of literal and regexp")
public class KernelMapping {

    @JsonPropertyDescription("Exact kernel version (as in a node's status.nodeInfo.kernelVersion, i.e. uname -r). "
            + "Set exactly one of literal and regexp.")
    @Size(max = 256)
    @ValidationRule(value = "self.size() > 0", message = "literal must not be empty")
    private String literal;

    @JsonPropertyDescription("RE2 regular expression matched against the kernel version; unanchored unless you anchor "
            + "it with ^ and $. Set exactly one of literal and regexp.")
    @Size(max = 1024)
    @ValidationRule(value = "self.size() > 0", message = "regexp must not be empty (use '.*' to match every kernel)")
    private String regexp;

    @JsonPropertyDescription("ModuleLoader image for the matching kernels. May use ${KERNEL_FULL_VERSION}, "
            + "${KERNEL_VERSION} (the same), ${KERNEL_XYZ}, ${KERNEL_X}, ${KERNEL_Y}, ${KERNEL_Z}, ${MOD_NAME} and "
            + "${MOD_NAMESPACE}.")
    @Required
    @Size(max = 1024)
    @ValidationRule(value = "self.size() > 0", message = "containerImage must not be empty")
    @ValidationRule(value = "!self.matches('\\\\s')", message = "containerImage must not contain white space")
    private String containerImage;

    @JsonPropertyDescription("In-cluster build settings for this mapping; override the Module's build field by field.")
    private Build build;

    @JsonPropertyDescription("Secure-boot signing for this mapping; overrides the Module's sign field by field, "
            + "filesToSign appended to the Module's.")
    private Sign sign;

    public Sign getSign() {
        return sign;
    }

    public void setSign(Sign sign) {
        this.sign = sign;
    }

    @JsonPropertyDescription("In-tree kernel modules unloaded before loading, for the kernels of this mapping; "
            + "replaces spec.inTreeModulesToRemove.")
    @Size(max = 16)
    private java.util.List<String> inTreeModulesToRemove;

    public java.util.List<String> getInTreeModulesToRemove() {
        return inTreeModulesToRemove;
    }

    public void setInTreeModulesToRemove(java.util.List<String> inTreeModulesToRemove) {
        this.inTreeModulesToRemove = inTreeModulesToRemove;
    }

    public KernelMapping() {
    }

    public String getLiteral() {
        return literal;
    }

    public void setLiteral(String literal) {
        this.literal = literal;
    }

    public String getRegexp() {
        return regexp;
    }

    public void setRegexp(String regexp) {
        this.regexp = regexp;
    }

    public String getContainerImage() {
        return containerImage;
    }

    public void setContainerImage(String containerImage) {
        this.containerImage = containerImage;
    }

    public Build getBuild() {
        return build;
    }

    public void setBuild(Build build) {
        this.build = build;
    }
}

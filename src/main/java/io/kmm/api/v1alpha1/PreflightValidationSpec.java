package io.kmm.api.v1alpha1;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which kernels to check every Module against. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.kernelVersion) || (has(self.kernelVersions) && size(self.kernelVersions) > 0)",
        message = "name a kernel: spec.kernelVersion or spec.kernelVersions")
public class PreflightValidationSpec {

    /** A kernel release as nodes report it (uname -r): the same rule the node labeller applies. */
    public static final String KERNEL_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._+~-]*$";

    @JsonPropertyDescription("The kernel the nodes are about to run (uname -r), as upstream KMM's field.")
    @Pattern(KERNEL_PATTERN)
    @Size(max = 64)
    private String kernelVersion;

    @JsonPropertyDescription("More kernels at once, e.g. every kernel of the next OS image (with kernelVersion, all "
            + "of them are checked).")
    // each item: KERNEL_PATTERN, at most 64 characters (set by ModuleCrdPostProcessor: the generator cannot say it,
    // and a CEL rule over strings of unknown length exceeds the API server's cost budget)
    @Size(max = 16)
    private List<String> kernelVersions;

    @JsonPropertyDescription("Build (and sign) the images that are missing and push them now, so they exist before the "
            + "first node boots into the kernel. Without it, a missing image that the Module builds in the cluster is "
            + "built without being pushed, to show that it builds.")
    private Boolean pushBuiltImage;

    public String getKernelVersion() {
        return kernelVersion;
    }

    public void setKernelVersion(String kernelVersion) {
        this.kernelVersion = kernelVersion;
    }

    public List<String> getKernelVersions() {
        return kernelVersions;
    }

    public void setKernelVersions(List<String> kernelVersions) {
        this.kernelVersions = kernelVersions;
    }

    public Boolean getPushBuiltImage() {
        return pushBuiltImage;
    }

    public void setPushBuiltImage(Boolean pushBuiltImage) {
        this.pushBuiltImage = pushBuiltImage;
    }

    /** kernelVersion then kernelVersions, each once, in that order. */
    @JsonIgnore
    public List<String> kernels() {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        if (kernelVersion != null && !kernelVersion.isBlank()) {
            all.add(kernelVersion);
        }
        if (kernelVersions != null) {
            kernelVersions.stream().filter(k -> k != null && !k.isBlank()).forEach(all::add);
        }
        return new ArrayList<>(all);
    }

    @JsonIgnore
    public boolean push() {
        return Boolean.TRUE.equals(pushBuiltImage);
    }
}

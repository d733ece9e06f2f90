package io.kmm.api.v1alpha1;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The verdict on one Module for one kernel. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreflightModuleStatus {

    public static final String SUCCESS = "Success";
    public static final String FAILURE = "Failure";
    public static final String IN_PROGRESS = "InProgress";

    @JsonPropertyDescription("The Module's namespace.")
    private String namespace;

    @JsonPropertyDescription("The Module's name.")
    private String name;

    @JsonPropertyDescription("The kernel checked.")
    private String kernel;

    @JsonPropertyDescription("Success (nodes booting this kernel will load the module at once), Failure (they will "
            + "not: the reason and message say why) or InProgress (a registry check or a build is still going on).")
    private String verdict;

    @JsonPropertyDescription("Why, in one word of the operator's reason vocabulary (docs/troubleshooting.md).")
    private String reason;

    @JsonPropertyDescription("What was found or done, and what to fix.")
    private String message;

    @JsonPropertyDescription("The ModuleLoader image for the kernel, when a kernel mapping matches.")
    private String image;

    @JsonPropertyDescription("The build or signing object started for it (Job or Build), if any.")
    private String build;

    @JsonPropertyDescription("The Module's metadata.generation this verdict is about.")
    private Long moduleGeneration;

    public PreflightModuleStatus() {
    }

    public PreflightModuleStatus(String namespace, String name, String kernel, String verdict, String reason,
            String message, String image, String build, Long moduleGeneration) {
        this.namespace = namespace;
        this.name = name;
        this.kernel = kernel;
        this.verdict = verdict;
        this.reason = reason;
        this.message = message;
        this.image = image;
        this.build = build;
        this.moduleGeneration = moduleGeneration;
    }

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getKernel() {
        return kernel;
    }

    public void setKernel(String kernel) {
        this.kernel = kernel;
    }

    public String getVerdict() {
        return verdict;
    }

    public void setVerdict(String verdict) {
        this.verdict = verdict;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public String getBuild() {
        return build;
    }

    public void setBuild(String build) {
        this.build = build;
    }

    public Long getModuleGeneration() {
        return moduleGeneration;
    }

    public void setModuleGeneration(Long moduleGeneration) {
        this.moduleGeneration = moduleGeneration;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PreflightModuleStatus other)) {
            return false;
        }
        return Objects.equals(namespace, other.namespace) && Objects.equals(name, other.name)
                && Objects.equals(kernel, other.kernel) && Objects.equals(verdict, other.verdict)
                && Objects.equals(reason, other.reason) && Objects.equals(message, other.message)
                && Objects.equals(image, other.image) && Objects.equals(build, other.build)
                && Objects.equals(moduleGeneration, other.moduleGeneration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, kernel, verdict, reason, message, image, build, moduleGeneration);
    }

    @Override
    public String toString() {
        return namespace + "/" + name + " on " + kernel + ": " + verdict + " (" + reason + ") " + message;
    }
}

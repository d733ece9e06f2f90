package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The in-cluster build of one kernel's ModuleLoader image. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildStatus {

    @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
    private String phase;

    @JsonPropertyDescription("Kind and name of the build object: a Job (Kaniko) or a Build (OpenShift).")
    private String object;

    @JsonPropertyDescription("Why the build failed, when the build system says.")
    private String message;

    public BuildStatus() {
    }

    public BuildStatus(String phase, String object, String message) {
        this.phase = phase;
        this.object = object;
        this.message = message;
    }

    public String getPhase() {
        return phase;
    }

    public void setPhase(String phase) {
        this.phase = phase;
    }

    public String getObject() {
        return object;
    }

    public void setObject(String object) {
        this.object = object;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }
}

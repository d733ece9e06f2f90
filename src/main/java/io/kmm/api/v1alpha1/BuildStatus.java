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

    /** Value equality: the operator writes a status only when it differs from the one it read. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || getClass() != o.getClass()) {
            return false;
        }
        BuildStatus other = (BuildStatus) o;
        return java.util.Objects.equals(phase, other.phase) && java.util.Objects.equals(object, other.object) && java.util.Objects.equals(message, other.message);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(phase, object, message);
    }
}

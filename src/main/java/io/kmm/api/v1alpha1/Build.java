package io.kmm.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;

/**
 * How to build a ModuleLoader image in the cluster when the mapped image does not exist yet. The source is either
 * an inline Dockerfile or a Git repository that contains one.
 */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.dockerfile) && has(self.git))",
        message = "set either dockerfile or git, not both")
public class Build {

    @JsonPropertyDescription("Build arguments passed to the build (ARG in the Dockerfile). KERNEL_VERSION, "
            + "KERNEL_FULL_VERSION, MOD_NAME and MOD_NAMESPACE are always added with the real values.")
    // At most 32: the uniqueness rule costs n² and a Module has up to 128 mappings; at 40 the real API server's
    // cost estimate rejects the CRD.
    @Size(max = 32)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b.name == a.name))",
            message = "buildArgs names must be unique")
    private List<BuildArg> buildArgs;

    @JsonPropertyDescription("Inline Dockerfile. Set either dockerfile or git.")
    @Size(max = 65536)
    @ValidationRule(value = "self.size() > 0", message = "dockerfile must not be empty")
    private String dockerfile;

    @JsonPropertyDescription("Git repository whose Dockerfile is built. Set either dockerfile or git.")
    private GitSource git;

    @JsonPropertyDescription("Options for pulling the base images.")
    private RegistryOptions pull;

    @JsonPropertyDescription("Options for pushing the built image to the containerImage's registry.")
    private RegistryOptions push;

    @JsonPropertyDescription("Secrets in the Module's namespace made available to the build, read-only under "
            + "/run/secrets/<name>.")
    @Size(max = 16)
    @ValidationRule(value = "self.all(s, has(s.name) && s.name.size() > 0)",
            message = "every build secret needs a name")
    private List<LocalObjectReference> secrets;

    public List<BuildArg> getBuildArgs() {
        return buildArgs;
    }

    public void setBuildArgs(List<BuildArg> buildArgs) {
        this.buildArgs = buildArgs;
    }

    public String getDockerfile() {
        return dockerfile;
    }

    public void setDockerfile(String dockerfile) {
        this.dockerfile = dockerfile;
    }

    public GitSource getGit() {
        return git;
    }

    public void setGit(GitSource git) {
        this.git = git;
    }

    public RegistryOptions getPull() {
        return pull;
    }

    public void setPull(RegistryOptions pull) {
        this.pull = pull;
    }

    public RegistryOptions getPush() {
        return push;
    }

    public void setPush(RegistryOptions push) {
        this.push = push;
    }

    public List<LocalObjectReference> getSecrets() {
        return secrets;
    }

    public void setSecrets(List<LocalObjectReference> secrets) {
        this.secrets = secrets;
    }
}

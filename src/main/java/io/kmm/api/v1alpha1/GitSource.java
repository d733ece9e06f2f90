package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A Git repository that contains a Dockerfile. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GitSource {

    @JsonPropertyDescription("URL of the Git repository, e.g. https://github.com/vendor/driver.git.")
    @Required
    @Size(max = 2048)
    @ValidationRule(value = "self.matches('^(https?|git)://[^\\\\s/]+/[^\\\\s]+$')",
            message = "git.url must be an https://, http:// or git:// URL of a repository")
    private String url;

    @JsonPropertyDescription("Branch, tag or commit to build. Defaults to the repository's default branch.")
    private String ref;

    @JsonPropertyDescription("Directory inside the repository that holds the Dockerfile and the build context. "
            + "Defaults to the repository root.")
    private String contextDir;

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getRef() {
        return ref;
    }

    public void setRef(String ref) {
        this.ref = ref;
    }

    public String getContextDir() {
        return contextDir;
    }

    public void setContextDir(String contextDir) {
        this.contextDir = contextDir;
    }
}

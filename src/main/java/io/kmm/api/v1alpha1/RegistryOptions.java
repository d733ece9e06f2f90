package io.kmm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How to talk to a registry during a build. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegistryOptions {

    @JsonPropertyDescription("Allow plain HTTP and TLS certificates that cannot be verified. Only for registries you "
            + "trust on a network you trust. Defaults to false.")
    private Boolean insecure;

    public RegistryOptions() {
    }

    public RegistryOptions(Boolean insecure) {
        this.insecure = insecure;
    }

    public Boolean getInsecure() {
        return insecure;
    }

    public void setInsecure(Boolean insecure) {
        this.insecure = insecure;
    }

    /** Whether options allow an insecure registry (unset options do not). */
    public static boolean insecure(RegistryOptions options) {
        return options != null && Boolean.TRUE.equals(options.getInsecure());
    }
}

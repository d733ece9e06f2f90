package io.kmm.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;

/** Arguments of the modprobe calls that load and unload a module. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModprobeArgs {

    @JsonPropertyDescription("Arguments of the loading modprobe call.")
    @Size(max = 32)
    private List<String> load;

    @JsonPropertyDescription("Arguments of the unloading modprobe call.")
    @Size(max = 32)
    private List<String> unload;

    public ModprobeArgs() {
    }

    public ModprobeArgs(List<String> load, List<String> unload) {
        this.load = load;
        this.unload = unload;
    }

    public List<String> getLoad() {
        return load;
    }

    public void setLoad(List<String> load) {
        this.load = load;
    }

    public List<String> getUnload() {
        return unload;
    }

    public void setUnload(List<String> unload) {
        this.unload = unload;
    }
}

package io.kmm.api.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Loading and unloading by declaration: the operator generates the loader container's command (load, then keep
 * running) and its preStop hook (unload) from these fields.
 */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.moduleName) || (has(self.rawArgs) && has(self.rawArgs.load) && has(self.rawArgs.unload))",
        message = "set modprobe.moduleName, or both modprobe.rawArgs.load and modprobe.rawArgs.unload")
@ValidationRule(value = "!has(self.modulesLoadingOrder) || (has(self.moduleName) && self.modulesLoadingOrder[0] == self.moduleName)",
        message = "modprobe.modulesLoadingOrder starts with modprobe.moduleName")
public class Modprobe {

    @JsonPropertyDescription("The kernel module to load, as modprobe names it (without .ko).")
    @Size(max = 64)
    @ValidationRule(value = "self.matches('^[A-Za-z0-9_-]+$')",
            message = "modprobe.moduleName is a kernel module name: letters, digits, '_' and '-'")
    private String moduleName;

    @JsonPropertyDescription("Module parameters passed when loading it, e.g. debug=1.")
    @Size(max = 32)
    private List<String> parameters;

    @JsonPropertyDescription("Directory of the image that holds lib/modules/<kernel> (modprobe -d). Defaults to /opt.")
    @Size(max = 1024)
    @ValidationRule(value = "self.startsWith('/')", message = "modprobe.dirName is an absolute path")
    @ValidationRule(value = "self.matches('^[A-Za-z0-9._/+@:-]*$')",
            message = "modprobe.dirName holds letters, digits and ._/+@:- only")
    private String dirName;

    @JsonPropertyDescription("modprobe arguments replacing the defaults (-v for loading, -v for unloading, which "
            + "always gets -r); -d dirName and the module names are added.")
    private ModprobeArgs args;

    @JsonPropertyDescription("Complete modprobe arguments, used as they are instead of everything else; load and "
            + "unload are both required when moduleName is not set.")
    private ModprobeArgs rawArgs;

    @JsonPropertyDescription("Directory of the image whose files are copied to the node's firmware directory before "
            + "loading, and removed from it after unloading.")
    @Size(max = 1024)
    @ValidationRule(value = "self.startsWith('/')", message = "modprobe.firmwarePath is an absolute path")
    @ValidationRule(value = "self.matches('^[A-Za-z0-9._/+@:-]*$')",
            message = "modprobe.firmwarePath holds letters, digits and ._/+@:- only")
    private String firmwarePath;

    @JsonPropertyDescription("Modules to load in this order (unloaded in reverse order), for modules that depend on "
            + "each other without modprobe knowing it. Starts with moduleName; at least two entries, no duplicates.")
    @Size(min = 2, max = 16)
    private List<String> modulesLoadingOrder;

    public String getModuleName() {
        return moduleName;
    }

    public void setModuleName(String moduleName) {
        this.moduleName = moduleName;
    }

    public List<String> getParameters() {
        return parameters;
    }

    public void setParameters(List<String> parameters) {
        this.parameters = parameters;
    }

    public String getDirName() {
        return dirName;
    }

    public void setDirName(String dirName) {
        this.dirName = dirName;
    }

    public ModprobeArgs getArgs() {
        return args;
    }

    public void setArgs(ModprobeArgs args) {
        this.args = args;
    }

    public ModprobeArgs getRawArgs() {
        return rawArgs;
    }

    public void setRawArgs(ModprobeArgs rawArgs) {
        this.rawArgs = rawArgs;
    }

    public String getFirmwarePath() {
        return firmwarePath;
    }

    public void setFirmwarePath(String firmwarePath) {
        this.firmwarePath = firmwarePath;
    }

    public List<String> getModulesLoadingOrder() {
        return modulesLoadingOrder;
    }

    public void setModulesLoadingOrder(List<String> modulesLoadingOrder) {
        this.modulesLoadingOrder = modulesLoadingOrder;
    }
}

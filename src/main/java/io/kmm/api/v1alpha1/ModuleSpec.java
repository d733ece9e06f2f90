package io.kmm.api.v1alpha1;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;

/** Desired state of a {@link Module}. */
// Unknown fields (a newer CRD than this operator) are ignored: failing on them would stop the Module informer.
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.kernelMappings.all(m, (!has(m.build) && !has(self.build))"
        + " || (has(m.build) && (has(m.build.dockerfile) || has(m.build.git)))"
        + " || (has(self.build) && (has(self.build.dockerfile) || has(self.build.git))))",
        message = "a kernel mapping that builds needs a source: set build.dockerfile or build.git in the mapping "
                + "or in spec.build")
public class ModuleSpec {

    @JsonPropertyDescription("Volumes made available to the module loader and device plugin pods. Mount them with "
            + "volumeMounts under moduleLoader and devicePlugin.")
    @Size(max = 64)
    private List<Volume> additionalVolumes;

    @JsonPropertyDescription("Optional device plugin container. KMM runs it in one DaemonSet per Module on the nodes "
            + "where the module is loaded; the container is privileged and gets /var/lib/kubelet/device-plugins "
            + "mounted automatically. Its name is overwritten.")
    @ValidationRule(value = "has(self.image) && self.image.size() > 0",
            message = "devicePlugin.image is required: the device plugin runs its own image")
    private Container devicePlugin;

    @JsonPropertyDescription("Container that loads the kernel module (for example with modprobe). Its name is "
            + "overwritten and its image is taken from the kernel mapping that matches the node's kernel. "
            + "/lib/modules and /usr/lib/modules are mounted read-only from the host. It runs with CAP_SYS_MODULE and "
            + "no other capability, without privilege escalation and with the runtime's default seccomp profile: "
            + "privileged, other capabilities and host ports are refused. Set modprobe (recommended) or your own "
            + "command and lifecycle.preStop to load and unload the module.")
    @Required
    @ValidationRule(value = "!has(self.securityContext) || !has(self.securityContext.privileged) "
            + "|| !self.securityContext.privileged",
            message = "a loader is not privileged: it gets CAP_SYS_MODULE, and nothing more "
                    + "(moduleLoader.securityContext.privileged)")
    @ValidationRule(value = "!has(self.securityContext) || !has(self.securityContext.allowPrivilegeEscalation) "
            + "|| !self.securityContext.allowPrivilegeEscalation",
            message = "a loader allows no privilege escalation (moduleLoader.securityContext.allowPrivilegeEscalation)")
    @ValidationRule(value = "!has(self.securityContext) || !has(self.securityContext.capabilities) "
            + "|| !has(self.securityContext.capabilities.add) || self.securityContext.capabilities.add.all(c, "
            + "c == 'SYS_MODULE' || c == 'CAP_SYS_MODULE')",
            message = "a loader gets CAP_SYS_MODULE only (moduleLoader.securityContext.capabilities.add)")
    private Container moduleLoader;

    @JsonPropertyDescription("Loading and unloading by the operator: when set, the operator generates the loader "
            + "container's command (modprobe, then keep running) and its preStop hook (modprobe -r), unless the "
            + "moduleLoader sets its own command or lifecycle.preStop, which are kept as they are.")
    private Modprobe modprobe;

    @JsonPropertyDescription("In-tree kernel modules unloaded before the module is loaded (e.g. an older in-tree "
            + "driver of the same device); not loaded again afterwards. A kernel mapping's own list replaces it.")
    @Size(max = 16)
    private List<String> inTreeModulesToRemove;

    @JsonPropertyDescription("Kernel mappings, tried in order for each node's kernel: the first that matches chooses "
            + "the ModuleLoader image (and build settings) for that kernel.")
    @Required
    @Size(min = 1, max = 128)
    private List<KernelMapping> kernelMappings;

    @JsonPropertyDescription("Node labels that select the nodes the module is loaded on (all must match). Values are "
            + "strings: quote booleans and numbers, e.g. \"true\".")
    // Only size() here: a regular expression over map keys or values, which have no maxLength, would exceed the API
    // server's CEL cost budget. The operator reports keys and values that are not valid labels in the status.
    @Size(max = 64)
    @ValidationRule(value = "self.all(k, k.size() <= 317 && self[k].size() <= 63)",
            message = "selector keys are at most 317 characters (prefix/name) and values at most 63")
    private Map<String, String> selector;

    @JsonPropertyDescription("Service account the module loader and device plugin pods run as. Defaults to the "
            + "namespace's default service account.")
    @Size(max = 253)
    @ValidationRule(value = "self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')",
            message = "serviceAccountName must be a ServiceAccount name: lowercase alphanumerics, '-' and '.'")
    private String serviceAccountName;

    @JsonPropertyDescription("Secret of type kubernetes.io/dockerconfigjson in the Module's namespace. Used as image "
            + "pull secret by the loader and device plugin pods, and for registry checks and pushes of in-cluster builds.")
    @ValidationRule(value = "has(self.name) && self.name.size() > 0", message = "imageRepoSecret.name is required")
    private LocalObjectReference imageRepoSecret;

    @JsonPropertyDescription("Tolerations for the module loader and device plugin pods, e.g. to load a module on "
            + "tainted nodes.")
    @Size(max = 64)
    private List<Toleration> tolerations;

    @JsonPropertyDescription("Default in-cluster build settings for every kernel mapping. A mapping's own build "
            + "overrides them field by field; buildArgs are merged by name, the mapping's value winning.")
    private Build build;

    @JsonPropertyDescription("Default secure-boot signing settings for every kernel mapping. A mapping's own sign "
            + "overrides them field by field; its filesToSign are appended to these.")
    private Sign sign;

    @JsonPropertyDescription("Optional version of the module (a label value, e.g. 1.2.0). With a version, each node "
            + "runs the version its node label ooto.sigs.k8s.io/<namespace>.<module>.version names (spec.version "
            + "without one), and a node moves between versions in order: device plugin off, old module unloaded, new "
            + "module loaded, device plugin back. Without one, a new image replaces the loaders node by node at once.")
    @Size(max = 63)
    @io.fabric8.generator.annotation.Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
    private String version;

    @JsonPropertyDescription("How nodes move to a new spec.version: by the user relabelling them (Manual, the "
            + "default) or by the operator in batches (Staged). Only with spec.version.")
    private VersionUpgrade upgrade;

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public VersionUpgrade getUpgrade() {
        return upgrade;
    }

    public void setUpgrade(VersionUpgrade upgrade) {
        this.upgrade = upgrade;
    }

    public Sign getSign() {
        return sign;
    }

    public void setSign(Sign sign) {
        this.sign = sign;
    }

    public Modprobe getModprobe() {
        return modprobe;
    }

    public void setModprobe(Modprobe modprobe) {
        this.modprobe = modprobe;
    }

    public List<String> getInTreeModulesToRemove() {
        return inTreeModulesToRemove;
    }

    public void setInTreeModulesToRemove(List<String> inTreeModulesToRemove) {
        this.inTreeModulesToRemove = inTreeModulesToRemove;
    }

    public List<Volume> getAdditionalVolumes() {
        return additionalVolumes;
    }

    public void setAdditionalVolumes(List<Volume> additionalVolumes) {
        this.additionalVolumes = additionalVolumes;
    }

    public Container getDevicePlugin() {
        return devicePlugin;
    }

    public void setDevicePlugin(Container devicePlugin) {
        this.devicePlugin = devicePlugin;
    }

    public Container getModuleLoader() {
        return moduleLoader;
    }

    public void setModuleLoader(Container moduleLoader) {
        this.moduleLoader = moduleLoader;
    }

    public List<KernelMapping> getKernelMappings() {
        return kernelMappings;
    }

    public void setKernelMappings(List<KernelMapping> kernelMappings) {
        this.kernelMappings = kernelMappings;
    }

    public Map<String, String> getSelector() {
        return selector;
    }

    public void setSelector(Map<String, String> selector) {
        this.selector = selector;
    }

    public String getServiceAccountName() {
        return serviceAccountName;
    }

    public void setServiceAccountName(String serviceAccountName) {
        this.serviceAccountName = serviceAccountName;
    }

    public LocalObjectReference getImageRepoSecret() {
        return imageRepoSecret;
    }

    public void setImageRepoSecret(LocalObjectReference imageRepoSecret) {
        this.imageRepoSecret = imageRepoSecret;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }

    public Build getBuild() {
        return build;
    }

    public void setBuild(Build build) {
        this.build = build;
    }
}

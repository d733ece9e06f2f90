package io.kmm.build;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.BuildArg;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Names;

/**
 * Everything needed to build one kernel's ModuleLoader image, resolved from the Module. Pure.
 *
 * @param buildArgs the user's build args followed by KERNEL_VERSION, KERNEL_FULL_VERSION, MOD_NAME and MOD_NAMESPACE
 * @param pushSecret the Module's imageRepoSecret, used to push (may be null)
 * @param inputsHash hash of every input; a different hash means a different build
 */
public record BuildRequest(String namespace, String moduleName, String moduleUid, String kernel, String kernelLabel,
        String image, Build build, List<BuildArg> buildArgs, String pushSecret, String builderImage,
        String inputsHash) {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public static BuildRequest of(Module module, KernelResolution.Resolved kernel, String builderImage) {
        Build build = kernel.build();
        String name = module.getMetadata().getName();
        String namespace = module.getMetadata().getNamespace();
        List<BuildArg> args = new ArrayList<>(build.getBuildArgs() == null ? List.of() : build.getBuildArgs());
        args.removeIf(a -> List.of("KERNEL_VERSION", "KERNEL_FULL_VERSION", "MOD_NAME", "MOD_NAMESPACE")
                .contains(a.getName()));
        args.add(new BuildArg("KERNEL_VERSION", kernel.kernel()));
        args.add(new BuildArg("KERNEL_FULL_VERSION", kernel.kernel()));
        args.add(new BuildArg("MOD_NAME", name));
        args.add(new BuildArg("MOD_NAMESPACE", namespace));
        LocalObjectReference secret = module.getSpec().getImageRepoSecret();
        String pushSecret = secret == null ? null : secret.getName();
        TreeMap<String, Object> inputs = new TreeMap<>();
        inputs.put("image", kernel.image());
        inputs.put("build", build);
        inputs.put("args", args);
        inputs.put("pushSecret", pushSecret);
        inputs.put("builder", builderImage);
        String hash;
        try {
            hash = LabelValues.hash(MAPPER.writeValueAsString(inputs), 10);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise build inputs", e);
        }
        return new BuildRequest(namespace, name, module.getMetadata().getUid(), kernel.kernel(), kernel.kernelLabel(),
                kernel.image(), build, List.copyOf(args), pushSecret, builderImage, hash);
    }

    /** Name of the build object: one per Module, kernel and set of inputs. */
    public String objectName() {
        return Names.buildObject(moduleName, kernel, inputsHash);
    }

    /** Labels of every build object. */
    public java.util.Map<String, String> labels() {
        java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put(io.kmm.meta.Labels.MODULE_NAME, LabelValues.normalise(moduleName));
        labels.put(io.kmm.meta.Labels.KERNEL_VERSION, kernelLabel);
        labels.put(io.kmm.meta.Labels.ROLE, io.kmm.meta.Labels.ROLE_BUILD);
        labels.put(io.kmm.meta.Labels.MANAGED_BY, io.kmm.meta.Labels.MANAGED_BY_VALUE);
        return labels;
    }

    /** Annotations of every build object: its inputs hash and exact kernel. */
    public java.util.Map<String, String> annotations() {
        return java.util.Map.of(io.kmm.meta.Labels.BUILD_INPUTS_ANNOTATION, inputsHash,
                io.kmm.meta.Labels.KERNEL_VERSION_ANNOTATION, kernel);
    }

    /** The Module owns its build objects: deleting it deletes them. */
    public io.fabric8.kubernetes.api.model.OwnerReference ownerReference() {
        return new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion(Module.API_VERSION)
                .withKind(Module.KIND).withName(moduleName).withUid(moduleUid).withController(true).build();
    }

    public boolean pullInsecure() {
        return build.getPull() != null && Boolean.TRUE.equals(build.getPull().getInsecure());
    }

    public boolean pushInsecure() {
        return build.getPush() != null && Boolean.TRUE.equals(build.getPush().getInsecure());
    }
}

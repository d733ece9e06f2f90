package io.kmm.build;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.BuildArg;
import io.kmm.api.v1alpha1.Module;
import io.kmm.kernel.ImageVariables;
import io.kmm.kernel.KernelResolution;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;
import io.kmm.meta.Names;
import io.kmm.meta.Owners;

/**
 * Everything needed to build one kernel's ModuleLoader image, resolved from the Module, whatever the build system.
 * Pure.
 *
 * @param buildArgs the user's build args followed by {@link ImageVariables#BUILD_ARGS}
 * @param pushSecret the Module's imageRepoSecret, used to push (may be null)
 * @param inputsHash hash of every input, the build system's own included ({@link BuildStrategy#builderInputs}); a
 *        different hash means a different build
 */
public record BuildRequest(String namespace, String moduleName, String moduleUid, String kernel, String kernelLabel,
        String image, Build build, List<BuildArg> buildArgs, String pushSecret, String inputsHash) {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /**
     * @param builderInputs what the build system adds to the inputs (Kaniko: its executor image), or null
     */
    public static BuildRequest of(Module module, KernelResolution.Resolved kernel, String builderInputs) {
        Build build = kernel.build();
        String name = module.getMetadata().getName();
        String namespace = module.getMetadata().getNamespace();
        List<BuildArg> args = new ArrayList<>(build.getBuildArgs() == null ? List.of() : build.getBuildArgs());
        args.removeIf(a -> ImageVariables.BUILD_ARGS.contains(a.getName()));
        ImageVariables.buildArgs(kernel.kernel(), name, namespace).forEach((k, v) -> args.add(new BuildArg(k, v)));
        LocalObjectReference secret = module.getSpec().getImageRepoSecret();
        String pushSecret = secret == null ? null : secret.getName();
        TreeMap<String, Object> inputs = new TreeMap<>();
        inputs.put("image", kernel.image());
        inputs.put("build", build);
        inputs.put("args", args);
        inputs.put("pushSecret", pushSecret);
        if (builderInputs != null) {
            inputs.put("builder", builderInputs);
        }
        String hash;
        try {
            hash = LabelValues.hash(MAPPER.writeValueAsString(inputs), 10);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise build inputs", e);
        }
        return new BuildRequest(namespace, name, module.getMetadata().getUid(), kernel.kernel(), kernel.kernelLabel(),
                kernel.image(), build, List.copyOf(args), pushSecret, hash);
    }

    /** Name of the build object: one per Module, kernel and set of inputs. */
    public String objectName() {
        return Names.buildObject(moduleName, kernel, inputsHash);
    }

    /** Labels of every build object. */
    public Map<String, String> labels() {
        return Labels.of(moduleName, Labels.ROLE_BUILD, kernelLabel);
    }

    /** Annotations of every build object: its inputs hash and exact kernel. */
    public Map<String, String> annotations() {
        return Map.of(Labels.BUILD_INPUTS_ANNOTATION, inputsHash, Labels.KERNEL_VERSION_ANNOTATION, kernel);
    }

    /** The Module owns its build objects: deleting it deletes them. */
    public OwnerReference ownerReference() {
        return Owners.of(moduleName, moduleUid);
    }

    public boolean pullInsecure() {
        return build.getPull() != null && Boolean.TRUE.equals(build.getPull().getInsecure());
    }

    public boolean pushInsecure() {
        return build.getPush() != null && Boolean.TRUE.equals(build.getPush().getInsecure());
    }
}

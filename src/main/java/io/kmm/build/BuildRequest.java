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
 * @param step build the image, or sign the modules of an image
 * @param secretMounts Secrets mounted read-only while the Dockerfile's RUN steps run, never part of the image (the
 *        signing key and certificate)
 * @param pulls images the Dockerfile starts FROM that the operator put there (the unsigned image of a signing)
 * @param preflight the PreflightValidation that asked for this build, or null for a Module's own build
 */
public record BuildRequest(String namespace, String moduleName, String moduleUid, String kernel, String kernelLabel,
        String image, Build build, List<BuildArg> buildArgs, String pushSecret, String inputsHash, BuildStep step,
        List<SecretMount> secretMounts, List<String> pulls, Preflight preflight) {

    /**
     * A build a PreflightValidation starts ahead of a kernel upgrade: owned by it (deleting it deletes the build),
     * labelled with its name, and never taken for one of the Module's builds.
     *
     * @param push push the image (spec.pushBuiltImage); without it the build only shows that the image builds
     */
    public record Preflight(String name, String uid, boolean push) {
    }

    public BuildRequest(String namespace, String moduleName, String moduleUid, String kernel, String kernelLabel,
            String image, Build build, List<BuildArg> buildArgs, String pushSecret, String inputsHash, BuildStep step,
            List<SecretMount> secretMounts, List<String> pulls) {
        this(namespace, moduleName, moduleUid, kernel, kernelLabel, image, build, buildArgs, pushSecret, inputsHash,
                step, secretMounts, pulls, null);
    }

    /**
     * The same build, asked for by a preflight: another object (its name and owner), and other inputs when it does
     * not push (a build that pushes makes the image the Module's own build would).
     */
    public BuildRequest forPreflight(Preflight by) {
        String hash = by.push() ? inputsHash : hash(Map.of("inputs", inputsHash, "push", false));
        return new BuildRequest(namespace, moduleName, moduleUid, kernel, kernelLabel, image, build, buildArgs,
                pushSecret, hash, step, secretMounts, pulls, by);
    }

    /** Whether the build pushes its image (every build but a preflight's without spec.pushBuiltImage). */
    public boolean push() {
        return preflight == null || preflight.push();
    }

    /**
     * One entry of a Secret, mounted as {@code <directory>/<file>} (mode 0400).
     *
     * @param volume the name of the volume in the build pod
     */
    public record SecretMount(String volume, String secret, String key, String directory, String file) {

        /** The path the build's RUN steps read. */
        public String path() {
            return directory + "/" + file;
        }
    }

    public BuildRequest(String namespace, String moduleName, String moduleUid, String kernel, String kernelLabel,
            String image, Build build, List<BuildArg> buildArgs, String pushSecret, String inputsHash) {
        this(namespace, moduleName, moduleUid, kernel, kernelLabel, image, build, buildArgs, pushSecret, inputsHash,
                BuildStep.BUILD, List.of(), List.of());
    }

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
        inputs.put("image", kernel.buildImage());
        inputs.put("build", build);
        inputs.put("args", args);
        inputs.put("pushSecret", pushSecret);
        if (builderInputs != null) {
            inputs.put("builder", builderInputs);
        }
        return new BuildRequest(namespace, name, module.getMetadata().getUid(), kernel.kernel(), kernel.kernelLabel(),
                kernel.buildImage(), build, List.copyOf(args), pushSecret, hash(inputs));
    }

    /** A short hash of inputs (serialised with sorted keys). */
    public static String hash(Map<String, Object> inputs) {
        try {
            return LabelValues.hash(MAPPER.writeValueAsString(new TreeMap<>(inputs)), 10);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise build inputs", e);
        }
    }

    /** Name of the build object: one per Module, step, kernel and set of inputs. */
    public String objectName() {
        String base = (preflight == null ? "" : "preflight-") + moduleName;
        return Names.buildObject(step == BuildStep.SIGN ? base + "-sign" : base, kernel, inputsHash);
    }

    /** Labels of every build object (a preflight's also carry the PreflightValidation's name). */
    public Map<String, String> labels() {
        Map<String, String> labels = Labels.of(moduleName, Labels.ROLE_BUILD, kernelLabel);
        if (preflight != null) {
            labels = new java.util.LinkedHashMap<>(labels);
            labels.put(Labels.PREFLIGHT, LabelValues.normalise(preflight.name()));
        }
        return labels;
    }

    /** Annotations of every build object: its inputs hash, exact kernel and (when it signs) its step. */
    public Map<String, String> annotations() {
        return step == BuildStep.SIGN
                ? Map.of(Labels.BUILD_INPUTS_ANNOTATION, inputsHash, Labels.KERNEL_VERSION_ANNOTATION, kernel,
                        Labels.BUILD_STEP_ANNOTATION, step.value())
                : Map.of(Labels.BUILD_INPUTS_ANNOTATION, inputsHash, Labels.KERNEL_VERSION_ANNOTATION, kernel);
    }

    /** The Module owns its build objects, a PreflightValidation those it asked for: deleting it deletes them. */
    public OwnerReference ownerReference() {
        return preflight == null ? Owners.of(moduleName, moduleUid)
                : Owners.ofPreflight(preflight.name(), preflight.uid());
    }

    public boolean pullInsecure() {
        return io.kmm.api.v1alpha1.RegistryOptions.insecure(build.getPull());
    }

    public boolean pushInsecure() {
        return io.kmm.api.v1alpha1.RegistryOptions.insecure(build.getPush());
    }
}

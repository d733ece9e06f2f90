package io.kmm.kernel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.BuildArg;

/** Merges a Module's default build settings with a kernel mapping's own. */
public final class BuildSettings {

    private BuildSettings() {
    }

    /**
     * The mapping's fields win over the Module's. The source (dockerfile or git) is one unit: a mapping that sets
     * either replaces both. buildArgs are merged by name, keeping the Module's order and the mapping's values.
     *
     * @return the merged settings, or null when neither sets any
     */
    public static Build merge(Build moduleDefault, Build mapping) {
        if (moduleDefault == null && mapping == null) {
            return null;
        }
        Build base = moduleDefault == null ? new Build() : moduleDefault;
        Build over = mapping == null ? new Build() : mapping;
        Build merged = new Build();
        boolean mappingHasSource = over.getDockerfile() != null || over.getGit() != null;
        merged.setDockerfile(mappingHasSource ? over.getDockerfile() : base.getDockerfile());
        merged.setGit(mappingHasSource ? over.getGit() : base.getGit());
        merged.setPull(over.getPull() != null ? over.getPull() : base.getPull());
        merged.setPush(over.getPush() != null ? over.getPush() : base.getPush());
        merged.setSecrets(over.getSecrets() != null ? over.getSecrets() : base.getSecrets());
        merged.setBuildArgs(mergeArgs(base.getBuildArgs(), over.getBuildArgs()));
        return merged;
    }

    /**
     * What is wrong with the source of a build, or null when it can be built. Checked by the CRD's rules too; this
     * catches Modules that reached the cluster without them (an older CRD, a bypassed schema).
     *
     * @param build merged settings ({@link #merge}), not null
     */
    public static Problem sourceProblem(Build build) {
        if (build.getDockerfile() != null && build.getGit() != null) {
            return new Problem("", "set either dockerfile or git, not both");
        }
        if (build.getDockerfile() == null && build.getGit() == null) {
            return new Problem("", "no build source: set build.dockerfile or build.git in the mapping or in spec.build");
        }
        if (build.getDockerfile() != null && build.getDockerfile().isBlank()) {
            return new Problem(".dockerfile", "dockerfile is empty");
        }
        if (build.getGit() != null && (build.getGit().getUrl() == null || build.getGit().getUrl().isBlank())) {
            return new Problem(".git.url", "a Git build needs a URL (git.url)");
        }
        return null;
    }

    /** @param subField appended to the build field, e.g. {@code .git.url} */
    public record Problem(String subField, String message) {
    }

    /** Field of the build settings that supply the source of mapping {@code index}'s build. */
    public static String sourceField(Build moduleDefault, Build mapping, int index) {
        boolean mappingHasSource = mapping != null && (mapping.getDockerfile() != null || mapping.getGit() != null);
        boolean defaultHasSource = moduleDefault != null
                && (moduleDefault.getDockerfile() != null || moduleDefault.getGit() != null);
        return !mappingHasSource && defaultHasSource ? "spec.build" : "spec.kernelMappings[" + index + "].build";
    }

    private static List<BuildArg> mergeArgs(List<BuildArg> base, List<BuildArg> over) {
        if (base == null && over == null) {
            return null;
        }
        Map<String, String> byName = new LinkedHashMap<>();
        for (List<BuildArg> args : List.of(base == null ? List.<BuildArg> of() : base,
                over == null ? List.<BuildArg> of() : over)) {
            for (BuildArg arg : args) {
                byName.put(arg.getName(), arg.getValue());
            }
        }
        List<BuildArg> merged = new ArrayList<>();
        byName.forEach((name, value) -> merged.add(new BuildArg(name, value)));
        return merged;
    }
}

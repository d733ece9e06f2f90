package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.BuildArg;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.ModuleSpec;

class KernelMapperTest {

    static KernelMapping literal(String kernel, String image) {
        KernelMapping m = new KernelMapping();
        m.setLiteral(kernel);
        m.setContainerImage(image);
        return m;
    }

    static KernelMapping regexp(String regexp, String image) {
        KernelMapping m = new KernelMapping();
        m.setRegexp(regexp);
        m.setContainerImage(image);
        return m;
    }

    static KernelMapper mapper(KernelMapping... mappings) {
        ModuleSpec spec = new ModuleSpec();
        spec.setKernelMappings(List.of(mappings));
        return new KernelMapper("mod", "ns", spec);
    }

    @Test
    void firstMatchWins() {
        KernelMapper mapper = mapper(literal("5.4.0-1054-gke", "img:literal"), regexp("gke$", "img:regexp"));
        assertThat(((KernelResolution.Resolved) mapper.resolve("5.4.0-1054-gke")).image()).isEqualTo("img:literal");
        KernelResolution.Resolved other = (KernelResolution.Resolved) mapper.resolve("5.4.0-2000-gke");
        assertThat(other.image()).isEqualTo("img:regexp");
        assertThat(other.mappingIndex()).isEqualTo(1);
    }

    @Test
    void literalIsExact() {
        assertThat(mapper(literal("5.4.0", "img")).resolve("5.4.0-1")).isInstanceOf(KernelResolution.Unmatched.class);
    }

    @Test
    void regexpIsUnanchoredUnlessAnchored() {
        assertThat(mapper(regexp("fc35", "img")).resolve("5.16.11-200.fc35.x86_64"))
                .isInstanceOf(KernelResolution.Resolved.class);
        assertThat(mapper(regexp("^fc35$", "img")).resolve("5.16.11-200.fc35.x86_64"))
                .isInstanceOf(KernelResolution.Unmatched.class);
        assertThat(mapper(regexp("^.*\\-gke$", "img")).resolve("5.4.0-1054-gke"))
                .isInstanceOf(KernelResolution.Resolved.class);
    }

    @Test
    void variablesAreSubstituted() {
        KernelResolution.Resolved r = (KernelResolution.Resolved) mapper(regexp(".*",
                "reg/${MOD_NAMESPACE}/${MOD_NAME}:${KERNEL_FULL_VERSION}-${KERNEL_XYZ}-${KERNEL_X}.${KERNEL_Y}.${KERNEL_Z}"))
                .resolve("5.16.11-200.fc35.x86_64");
        assertThat(r.image()).isEqualTo("reg/ns/mod:5.16.11-200.fc35.x86_64-5.16.11-5.16.11");
        assertThat(r.kernelLabel()).isEqualTo("5.16.11-200.fc35.x86_64");
    }

    @Test
    void unknownVariableIsAnErrorNamingIt() {
        KernelResolution r = mapper(regexp(".*", "reg/img:${KERNEL_VERSON}")).resolve("5.16.11");
        assertThat(r).isInstanceOf(KernelResolution.Invalid.class);
        KernelResolution.Invalid invalid = (KernelResolution.Invalid) r;
        assertThat(invalid.field()).isEqualTo("spec.kernelMappings[0].containerImage");
        assertThat(invalid.message()).contains("unknown variable ${KERNEL_VERSON}");
    }

    @Test
    void xyzVariablesNeedAnXyzKernel() {
        KernelResolution r = mapper(regexp(".*", "img:${KERNEL_Z}")).resolve("6.1-rc1");
        assertThat(((KernelResolution.Invalid) r).message()).contains("${KERNEL_Z} has no value");
        assertThat(mapper(regexp(".*", "img:${KERNEL_X}.${KERNEL_Y}")).resolve("6.1-rc1"))
                .isInstanceOf(KernelResolution.Resolved.class);
    }

    @Test
    void invalidRegexpStopsTheSearchWithTheIndexAndTheError() {
        KernelMapper mapper = mapper(literal("other", "a"), regexp("(unclosed", "b"), literal("5.4.0", "c"));
        KernelResolution r = mapper.resolve("5.4.0");
        assertThat(r).isInstanceOf(KernelResolution.Invalid.class);
        KernelResolution.Invalid invalid = (KernelResolution.Invalid) r;
        assertThat(invalid.mappingIndex()).isEqualTo(1);
        assertThat(invalid.field()).isEqualTo("spec.kernelMappings[1].regexp");
        assertThat(invalid.message()).startsWith("invalid regular expression");
        // A kernel matched before the broken mapping is still resolved.
        assertThat(mapper.resolve("other")).isInstanceOf(KernelResolution.Resolved.class);
    }

    @Test
    void bothOrNeitherOfLiteralAndRegexpIsAnError() {
        KernelMapping both = literal("5.4.0", "img");
        both.setRegexp(".*");
        KernelMapping neither = new KernelMapping();
        neither.setContainerImage("img");
        assertThat(((KernelResolution.Invalid) mapper(both).resolve("5.4.0")).message()).contains("both are set");
        assertThat(((KernelResolution.Invalid) mapper(neither).resolve("5.4.0")).message()).contains("neither is set");
    }

    @Test
    void catastrophicBacktrackingPatternIsLinear() {
        // (a+)+$ takes exponential time in a backtracking engine on this input; RE2/J answers at once.
        String kernel = "a".repeat(5000) + "!";
        KernelResolution r = mapper(regexp("^(a+)+$", "img")).resolve(kernel);
        assertThat(r).isInstanceOf(KernelResolution.Unmatched.class);
    }

    @Test
    void moduleBuildIsMergedWithTheMappingBuild() {
        Build moduleBuild = new Build();
        moduleBuild.setDockerfile("FROM base");
        moduleBuild.setBuildArgs(List.of(new BuildArg("A", "module"), new BuildArg("B", "module")));
        Build mappingBuild = new Build();
        mappingBuild.setBuildArgs(List.of(new BuildArg("B", "mapping"), new BuildArg("C", "mapping")));
        KernelMapping m = regexp(".*", "img");
        m.setBuild(mappingBuild);
        ModuleSpec spec = new ModuleSpec();
        spec.setBuild(moduleBuild);
        spec.setKernelMappings(List.of(m, literal("x", "img2")));
        KernelMapper mapper = new KernelMapper("mod", "ns", spec);

        Build merged = ((KernelResolution.Resolved) mapper.resolve("5.4.0")).build();
        assertThat(merged.getDockerfile()).isEqualTo("FROM base");
        assertThat(merged.getBuildArgs()).containsExactly(new BuildArg("A", "module"), new BuildArg("B", "mapping"),
                new BuildArg("C", "mapping"));
    }

    @Test
    void mappingSourceReplacesModuleSource() {
        Build moduleBuild = new Build();
        moduleBuild.setDockerfile("FROM base");
        Build mappingBuild = new Build();
        mappingBuild.setGit(new io.kmm.api.v1alpha1.GitSource());
        Build merged = BuildSettings.merge(moduleBuild, mappingBuild);
        assertThat(merged.getDockerfile()).isNull();
        assertThat(merged.getGit()).isNotNull();
        assertThat(BuildSettings.merge(null, null)).isNull();
    }

    @Test
    void staticValidationFindsProblemsWithoutAnyKernel() {
        ModuleSpec spec = new ModuleSpec();
        KernelMapping neither = new KernelMapping();
        neither.setContainerImage("img");
        spec.setModuleLoader(new io.fabric8.kubernetes.api.model.Container());
        spec.setKernelMappings(List.of(regexp("[", "img"), literal("x", "img:${NOPE}"), neither, literal("y", "")));
        assertThat(MappingValidation.problems(spec)).extracting(MappingValidation.Problem::field).containsExactly(
                "spec.kernelMappings[0].regexp", "spec.kernelMappings[1].containerImage", "spec.kernelMappings[2]",
                "spec.kernelMappings[3].containerImage");
        spec.setKernelMappings(List.of());
        assertThat(MappingValidation.problems(spec)).hasSize(1);
        spec.setModuleLoader(null);
        assertThat(MappingValidation.problems(spec)).extracting(MappingValidation.Problem::field)
                .containsExactly("spec.moduleLoader", "spec.kernelMappings");
    }

    @Test
    void buildSourcesAreCheckedOnTheMergedSettings() {
        ModuleSpec spec = new ModuleSpec();
        spec.setModuleLoader(new io.fabric8.kubernetes.api.model.Container());
        KernelMapping onlyArgs = regexp(".*", "img");
        Build args = new Build();
        args.setBuildArgs(List.of(new io.kmm.api.v1alpha1.BuildArg("A", "1")));
        onlyArgs.setBuild(args);
        spec.setKernelMappings(List.of(onlyArgs));
        KernelResolution r = new KernelMapper("m", "ns", spec).resolve("6.1.0");
        assertThat(r).isInstanceOfSatisfying(KernelResolution.Invalid.class, i -> {
            assertThat(i.reason()).isEqualTo(io.kmm.status.Reason.INVALID_BUILD);
            assertThat(i.field()).isEqualTo("spec.kernelMappings[0].build");
            assertThat(i.message()).startsWith("no build source");
        });
        assertThat(MappingValidation.problems(spec)).extracting(MappingValidation.Problem::reason)
                .containsExactly(io.kmm.status.Reason.INVALID_BUILD);

        // The Module's build supplies the source: fine. A Git source without URL there is named there.
        Build moduleBuild = new Build();
        moduleBuild.setGit(new io.kmm.api.v1alpha1.GitSource());
        spec.setBuild(moduleBuild);
        assertThat(MappingValidation.problems(spec)).extracting(MappingValidation.Problem::toString)
                .containsExactly("spec.build.git.url: a Git build needs a URL (git.url)");
        moduleBuild.getGit().setUrl("https://example.com/vendor/driver.git");
        assertThat(MappingValidation.problems(spec)).isEmpty();
        assertThat(new KernelMapper("m", "ns", spec).resolve("6.1.0")).isInstanceOf(KernelResolution.Resolved.class);
    }

    @Test
    void anImageThatIsNoReferenceForAKernelIsNamed() {
        KernelResolution r = mapper(regexp(".*", "quay.io/v/m:${KERNEL_FULL_VERSION}")).resolve("6.8.0-rc1+");
        assertThat(r).isInstanceOfSatisfying(KernelResolution.Invalid.class, i -> {
            assertThat(i.field()).isEqualTo("spec.kernelMappings[0].containerImage");
            assertThat(i.message()).startsWith("\"quay.io/v/m:6.8.0-rc1+\" is not a valid image reference");
        });
        assertThat(mapper(regexp(".*", "quay.io/v/m:${KERNEL_FULL_VERSION}")).resolve("6.8.0-rc1"))
                .isInstanceOf(KernelResolution.Resolved.class);
    }

    @Test
    void forbiddenVolumesAndUnmatchableSelectorsAreReported() {
        ModuleSpec spec = new ModuleSpec();
        spec.setModuleLoader(new io.fabric8.kubernetes.api.model.Container());
        spec.setKernelMappings(List.of(regexp(".*", "img")));
        spec.setAdditionalVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("fw")
                .withNewHostPath().withPath("/lib/firmware").endHostPath().build(),
                new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("etc").withNewHostPath().withPath("/etc")
                        .endHostPath().build()));
        spec.setSelector(java.util.Map.of("role", "gpu nodes"));
        assertThat(MappingValidation.problems(spec)).extracting(MappingValidation.Problem::field,
                MappingValidation.Problem::reason).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("spec.additionalVolumes[1].hostPath.path",
                                io.kmm.status.Reason.INVALID_VOLUME),
                        org.assertj.core.groups.Tuple.tuple("spec.selector[role]", io.kmm.status.Reason.INVALID_MODULE));
        assertThat(MappingValidation.validate(spec).podProblems()).hasSize(1);
    }
}

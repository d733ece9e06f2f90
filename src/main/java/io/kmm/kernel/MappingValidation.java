package io.kmm.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.KernelMapping;
import io.kmm.api.v1alpha1.ModuleSpec;
import io.kmm.meta.LabelValues;
import io.kmm.status.Reason;

/**
 * The one validation of a Module's spec. It finds every error that does not depend on a kernel (kernel mappings,
 * build sources, hostPath volumes, selector), so that a typo is reported even before a node runs a kernel that
 * reaches the broken part, and it prepares each mapping once for {@link KernelMapper} (compiled regexp, merged build
 * settings, the problem that stops it), which therefore never checks anything again.
 */
public final class MappingValidation {

    /** A label key (also a taint key): an optional DNS prefix and '/', then a name of at most 63 characters. */
    static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

    /**
     * @param field e.g. {@code spec.kernelMappings[1].regexp}
     * @param reason the Degraded condition's reason
     */
    public record Problem(String field, String message, Reason reason) {
        public Problem(String field, String message) {
            this(field, message, field.startsWith("spec.kernelMappings") ? Reason.INVALID_KERNEL_MAPPING
                    : Reason.INVALID_MODULE);
        }

        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    /**
     * One kernel mapping, prepared.
     *
     * @param regexp the compiled regexp, or null for a literal (or when it cannot be evaluated)
     * @param unevaluable why the mapping cannot be matched against any kernel (literal/regexp), or null
     * @param image what is wrong with its containerImage whatever the kernel (the first of them), or null
     * @param imageProblems all of them (one per unknown variable)
     * @param build the mapping's build settings merged with the Module's, or null when neither sets any
     * @param buildProblem what keeps the merged build settings from being built, or null
     * @param sign the mapping's signing settings merged with the Module's, or null when neither sets any
     * @param signProblem what keeps the merged signing settings from being used, or null
     * @param dirName where the image keeps lib/modules (modprobe.dirName, /opt by default)
     */
    public record Mapping(int index, KernelMapping mapping, com.google.re2j.Pattern regexp, Problem unevaluable, Problem image,
            List<Problem> imageProblems, Build build, Problem buildProblem, io.kmm.api.v1alpha1.Sign sign,
            Problem signProblem, String dirName) {

        public String field() {
            return "spec.kernelMappings[" + index + "]";
        }
    }

    /**
     * @param problems every problem, in the order users read them (pods, selector, mappings)
     * @param podProblems the problems that concern every pod of the Module (no loader container, an invalid
     *        toleration, a forbidden hostPath volume): they hold back every DaemonSet of the Module, loaders and
     *        device plugin
     * @param mappings every kernel mapping, prepared
     */
    public record Result(List<Problem> problems, List<Problem> podProblems, List<Mapping> mappings) {

        public boolean podsBlocked() {
            return !podProblems.isEmpty();
        }
    }

    private MappingValidation() {
    }

    /** The problems of a spec (see {@link #validate}). */
    public static List<Problem> problems(ModuleSpec spec) {
        return validate(spec).problems();
    }

    public static Result validate(ModuleSpec spec) {
        return validate(spec, SecurityPolicy.DEFAULT, null);
    }

    /**
     * @param policy what the cluster admin allows beyond loading a module
     * @param namespace the Module's (images it builds into the in-cluster registry live under it), or null
     */
    public static Result validate(ModuleSpec spec, SecurityPolicy policy, String namespace) {
        List<Problem> problems = new ArrayList<>();
        List<Problem> podProblems = podProblems(spec, policy);
        problems.addAll(podProblems);
        selectorProblems(spec, problems);
        List<KernelMapping> kernelMappings = spec.getKernelMappings() == null ? List.of() : spec.getKernelMappings();
        if (kernelMappings.isEmpty()) {
            problems.add(new Problem("spec.kernelMappings", "at least one kernel mapping is required"));
        }
        List<Mapping> mappings = new ArrayList<>();
        for (int i = 0; i < kernelMappings.size(); i++) {
            Mapping m = mapping(spec, i, kernelMappings.get(i), policy, namespace);
            mappings.add(m);
            if (m.unevaluable() != null) {
                problems.add(m.unevaluable());
            }
            if (m.buildProblem() != null) {
                problems.add(m.buildProblem());
            }
            if (m.signProblem() != null) {
                problems.add(m.signProblem());
            }
            problems.addAll(m.imageProblems());
        }
        return new Result(Collections.unmodifiableList(problems), List.copyOf(podProblems), List.copyOf(mappings));
    }

    private static Mapping mapping(ModuleSpec spec, int i, KernelMapping m, SecurityPolicy policy, String namespace) {
        String field = "spec.kernelMappings[" + i + "]";
        Problem unevaluable = null;
        com.google.re2j.Pattern regexp = null;
        if ((m.getLiteral() == null) == (m.getRegexp() == null)) {
            unevaluable = new Problem(field, "set exactly one of literal and regexp ("
                    + (m.getLiteral() == null ? "neither is" : "both are") + " set)");
        } else if (m.getRegexp() != null) {
            Regexps.Compiled compiled = Regexps.compile(m.getRegexp());
            if (compiled.valid()) {
                regexp = compiled.pattern();
            } else {
                unevaluable = new Problem(field + ".regexp", "invalid regular expression: " + compiled.error());
            }
        }
        Build build = BuildSettings.merge(spec.getBuild(), m.getBuild());
        BuildSettings.Problem source = build == null ? null : BuildSettings.sourceProblem(build);
        Problem buildProblem = source == null ? null
                : new Problem(BuildSettings.sourceField(spec.getBuild(), m.getBuild(), i) + source.subField(),
                        source.message(), Reason.INVALID_BUILD);
        String registry = policy.inClusterRegistry();
        if (buildProblem == null && namespace != null && registry != null && m.getContainerImage() != null
                && (build != null || SignSettings.merge(spec.getSign(), m.getSign()) != null)
                && m.getContainerImage().startsWith(registry + "/")
                && !m.getContainerImage().startsWith(registry + "/" + namespace + "/")) {
            // the in-cluster registry has no authentication: a Module builds only under its own namespace's path
            buildProblem = new Problem(field + ".containerImage", "images built into the in-cluster registry live "
                    + "under " + registry + "/" + namespace + "/ (the Module's namespace), not " + m.getContainerImage(),
                    Reason.INVALID_BUILD);
        }
        List<Problem> image = new ArrayList<>();
        if (m.getContainerImage() == null || m.getContainerImage().isBlank()) {
            image.add(new Problem(field + ".containerImage", "containerImage is empty"));
        } else {
            ImageVariables.unknownIn(m.getContainerImage()).forEach(name -> image.add(new Problem(field
                    + ".containerImage", ImageVariables.unknownMessage(name))));
        }
        io.kmm.api.v1alpha1.Sign sign = SignSettings.merge(spec.getSign(), m.getSign());
        String dirName = spec.getModprobe() == null || spec.getModprobe().getDirName() == null ? SignSettings.DEFAULT_DIR
                : spec.getModprobe().getDirName();
        SignSettings.Problem signed = sign == null ? null : SignSettings.problem(sign, build, dirName);
        Problem signProblem = signed == null ? null : new Problem(SignSettings.field(m.getSign(), i)
                + signed.subField(), signed.message(), Reason.INVALID_SIGN);
        return new Mapping(i, m, regexp, unevaluable, image.isEmpty() ? null : image.get(0), List.copyOf(image), build,
                buildProblem, sign, signProblem, dirName);
    }

    private static List<Problem> podProblems(ModuleSpec spec, SecurityPolicy policy) {
        List<Problem> problems = new ArrayList<>();
        if (spec.getModuleLoader() == null) {
            problems.add(new Problem("spec.moduleLoader", "a moduleLoader container is required"));
        }
        Tolerations.problems(spec.getTolerations()).forEach(p -> problems.add(p));
        modprobeProblems(spec, problems);
        PodSecurity.problems(spec, policy, problems);
        return problems;
    }

    private static final com.google.re2j.Pattern PATH = com.google.re2j.Pattern.compile("^/[A-Za-z0-9._/+@:-]*$");
    private static final com.google.re2j.Pattern MODULE_NAME = com.google.re2j.Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    /** The schema's modprobe rules (for Modules that reached the cluster without them), and the list contents. */
    private static void modprobeProblems(ModuleSpec spec, List<Problem> problems) {
        moduleNames("spec.inTreeModulesToRemove", spec.getInTreeModulesToRemove(), problems);
        List<KernelMapping> mappings = spec.getKernelMappings() == null ? List.of() : spec.getKernelMappings();
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i) != null) {
                moduleNames("spec.kernelMappings[" + i + "].inTreeModulesToRemove",
                        mappings.get(i).getInTreeModulesToRemove(), problems);
            }
        }
        var m = spec.getModprobe();
        if (m == null) {
            return;
        }
        boolean raw = m.getRawArgs() != null && m.getRawArgs().getLoad() != null && m.getRawArgs().getUnload() != null;
        if (m.getModuleName() == null && !raw) {
            problems.add(new Problem("spec.modprobe", "set moduleName, or both rawArgs.load and rawArgs.unload"));
        }
        if (m.getModuleName() != null) {
            moduleNames("spec.modprobe.moduleName", List.of(m.getModuleName()), problems);
        }
        List<String> order = m.getModulesLoadingOrder();
        if (order != null) {
            String field = "spec.modprobe.modulesLoadingOrder";
            if (order.size() < 2) {
                problems.add(new Problem(field, "list at least two modules (moduleName first), or leave it out"));
            } else if (!order.get(0).equals(m.getModuleName())) {
                problems.add(new Problem(field, "starts with moduleName (\"" + m.getModuleName() + "\"), not \""
                        + order.get(0) + "\""));
            }
            List<String> seen = new ArrayList<>();
            for (String module : order) {
                if (seen.contains(module)) {
                    problems.add(new Problem(field, "\"" + module + "\" is listed twice"));
                }
                seen.add(module);
            }
            moduleNames(field, order, problems);
        }
        for (var path : new String[][] { { "spec.modprobe.firmwarePath", m.getFirmwarePath() },
                { "spec.modprobe.dirName", m.getDirName() } }) {
            if (path[1] != null && !path[1].startsWith("/")) {
                problems.add(new Problem(path[0], "\"" + path[1] + "\" is not an absolute path"));
            } else if (path[1] != null && !PATH.matcher(path[1]).matches()) {
                problems.add(new Problem(path[0], "holds characters other than letters, digits and ._/+@:-"));
            }
        }
    }

    private static void moduleNames(String field, List<String> names, List<Problem> problems) {
        if (names == null) {
            return;
        }
        for (String name : names) {
            if (name == null || !MODULE_NAME.matcher(name).matches()) {
                problems.add(new Problem(field, "\"" + name + "\" is not a kernel module name (letters, digits, "
                        + "'_' and '-')"));
            }
        }
    }

    private static void selectorProblems(ModuleSpec spec, List<Problem> problems) {
        if (spec.getSelector() == null) {
            return;
        }
        spec.getSelector().forEach((key, value) -> {
            if (!LABEL_KEY.matcher(key == null ? "" : key).matches()) {
                problems.add(new Problem("spec.selector", "\"" + key + "\" is not a valid label key, so no node can "
                        + "have it"));
            } else if (value == null || !LabelValues.isValid(value)) {
                problems.add(new Problem("spec.selector[" + key + "]", "\"" + value + "\" is not a valid label "
                        + "value (at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric), "
                        + "so no node can have it"));
            }
        });
    }
}

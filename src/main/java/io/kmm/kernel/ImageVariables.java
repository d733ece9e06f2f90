package io.kmm.kernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Substitutes {@code ${NAME}} variables in a kernel mapping's strings with values for one kernel and Module.
 * Unknown variables, and X.Y.Z variables for a kernel without an X.Y.Z version, are errors rather than left as
 * they are: an image reference with {@code ${...}} in it would only fail later, on the nodes.
 */
public final class ImageVariables {

    public static final List<String> NAMES = List.of("KERNEL_FULL_VERSION", "KERNEL_VERSION", "KERNEL_XYZ",
            "KERNEL_X", "KERNEL_Y", "KERNEL_Z", "MOD_NAME", "MOD_NAMESPACE");
    /** A variable in a template: {@code ${NAME}}. The one definition of the syntax. */
    public static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    /**
     * The build arguments every in-cluster build gets, after the user's own (which cannot override them): the
     * kernel and the Module.
     */
    public static final List<String> BUILD_ARGS = List.of("KERNEL_VERSION", "KERNEL_FULL_VERSION", "MOD_NAME",
            "MOD_NAMESPACE");

    private final Map<String, Optional<String>> values;

    private ImageVariables(Map<String, Optional<String>> values) {
        this.values = values;
    }

    /** The values of {@link #BUILD_ARGS} for a kernel and Module, in that order. */
    public static Map<String, String> buildArgs(String kernel, String moduleName, String moduleNamespace) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("KERNEL_VERSION", kernel);
        args.put("KERNEL_FULL_VERSION", kernel);
        args.put("MOD_NAME", moduleName);
        args.put("MOD_NAMESPACE", moduleNamespace);
        return args;
    }

    /** The variables of a template that are not known, in order of appearance. */
    public static List<String> unknownIn(String template) {
        List<String> unknown = new java.util.ArrayList<>();
        Matcher m = VARIABLE.matcher(template);
        while (m.find()) {
            if (!NAMES.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        return unknown;
    }

    static String unknownMessage(String name) {
        return "unknown variable ${" + name + "}; known variables are " + String.join(", ",
                NAMES.stream().map(n -> "${" + n + "}").toList());
    }

    public static ImageVariables of(KernelVersion kernel, String moduleName, String moduleNamespace) {
        Map<String, Optional<String>> values = new LinkedHashMap<>();
        values.put("KERNEL_FULL_VERSION", Optional.of(kernel.full()));
        values.put("KERNEL_VERSION", Optional.of(kernel.full())); // as the build argument of the same name
        values.put("KERNEL_XYZ", kernel.xyz());
        values.put("KERNEL_X", kernel.x());
        values.put("KERNEL_Y", kernel.y());
        values.put("KERNEL_Z", kernel.z());
        values.put("MOD_NAME", Optional.ofNullable(moduleName));
        values.put("MOD_NAMESPACE", Optional.ofNullable(moduleNamespace));
        return new ImageVariables(values);
    }

    /**
     * @return {@code template} with every variable replaced
     * @throws IllegalArgumentException naming the variable when one is unknown or has no value for this kernel
     */
    public String substitute(String template) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            Optional<String> value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException(unknownMessage(name));
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException("variable ${" + name + "} has no value for this kernel (its "
                        + "version does not start with X.Y.Z)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.get()));
        }
        m.appendTail(out);
        return out.toString();
    }
}

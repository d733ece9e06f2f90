package io.kmm.kernel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Sign;
import io.kmm.meta.LabelValues;

/** Merging, checking and resolving a Module's secure-boot signing settings. Pure. */
public final class SignSettings {

    /** Where modprobe looks for the modules when modprobe.dirName is not set. */
    public static final String DEFAULT_DIR = "/opt";
    /** The tag suffix of the image a build makes when the result is signed afterwards. */
    public static final String UNSIGNED_SUFFIX = "-unsigned";
    /**
     * What a file to sign may contain: an absolute path of plain characters, shell glob characters and variables. No
     * white space, quote or shell operator can reach the generated signing script.
     */
    private static final Pattern FILE = Pattern.compile("/[A-Za-z0-9._/*?+@=,:\\[\\]{}$-]+");

    private SignSettings() {
    }

    /**
     * The mapping's fields win over the Module's; filesToSign are the Module's followed by the mapping's (each once).
     *
     * @return the merged settings, or null when neither sets any
     */
    public static Sign merge(Sign moduleDefault, Sign mapping) {
        if (moduleDefault == null && mapping == null) {
            return null;
        }
        Sign base = moduleDefault == null ? new Sign() : moduleDefault;
        Sign over = mapping == null ? new Sign() : mapping;
        Sign merged = new Sign();
        merged.setUnsignedImage(over.getUnsignedImage() != null ? over.getUnsignedImage() : base.getUnsignedImage());
        merged.setKeySecret(over.getKeySecret() != null ? over.getKeySecret() : base.getKeySecret());
        merged.setCertSecret(over.getCertSecret() != null ? over.getCertSecret() : base.getCertSecret());
        merged.setPull(over.getPull() != null ? over.getPull() : base.getPull());
        merged.setPush(over.getPush() != null ? over.getPush() : base.getPush());
        LinkedHashSet<String> files = new LinkedHashSet<>();
        for (Sign s : List.of(base, over)) {
            if (s.getFilesToSign() != null) {
                files.addAll(s.getFilesToSign());
            }
        }
        merged.setFilesToSign(files.isEmpty() ? null : new ArrayList<>(files));
        return merged;
    }

    /** A problem of merged settings: the sub-field of {@code sign} (e.g. {@code .keySecret}) and what is wrong. */
    public record Problem(String subField, String message) {
    }

    /**
     * What keeps merged settings from being used, or null.
     *
     * @param build the mapping's merged build settings, or null
     * @param dirName where modprobe finds the modules in the image
     */
    public static Problem problem(Sign sign, Build build, String dirName) {
        if (sign.getKeySecret() == null || blank(sign.getKeySecret().getName())) {
            return new Problem(".keySecret", "name the Secret that holds the signing key (its 'key' entry)");
        }
        if (sign.getCertSecret() == null || blank(sign.getCertSecret().getName())) {
            return new Problem(".certSecret", "name the Secret that holds the certificate (its 'cert' entry)");
        }
        if (build == null && blank(sign.getUnsignedImage())) {
            return new Problem("", "nothing to sign: set sign.unsignedImage, or build settings whose output is signed");
        }
        if (build != null && sign.getUnsignedImage() != null) {
            return new Problem(".unsignedImage", "set either build settings (their output is signed) or "
                    + "sign.unsignedImage, not both");
        }
        if (sign.getUnsignedImage() != null) {
            List<String> unknown = ImageVariables.unknownIn(sign.getUnsignedImage());
            if (!unknown.isEmpty()) {
                return new Problem(".unsignedImage", ImageVariables.unknownMessage(unknown.get(0)));
            }
        }
        List<String> files = sign.getFilesToSign() == null ? List.of() : sign.getFilesToSign();
        if (files.isEmpty()) {
            return new Problem(".filesToSign", "list the files to sign, e.g. " + dirName
                    + "/lib/modules/${KERNEL_FULL_VERSION}/extra/my_module.ko");
        }
        for (String file : files) {
            String quoted = "\"" + file + "\"";
            if (file == null || !FILE.matcher(file).matches()) {
                return new Problem(".filesToSign", quoted + " is not an absolute path of letters, digits, '._/-+@=,:' "
                        + "and the glob characters '*?[]'");
            }
            if (!file.startsWith(dirName.endsWith("/") ? dirName : dirName + "/")) {
                return new Problem(".filesToSign", quoted + " is not under modprobe.dirName (" + dirName + ")");
            }
            if (file.contains("/../") || file.endsWith("/..")) {
                return new Problem(".filesToSign", quoted + " leaves " + dirName + " with '..'");
            }
            List<String> unknown = ImageVariables.unknownIn(file);
            if (!unknown.isEmpty()) {
                return new Problem(".filesToSign", ImageVariables.unknownMessage(unknown.get(0)));
            }
        }
        return null;
    }

    /** The field of the sign settings of mapping {@code index}: the mapping's when it has any, else the Module's. */
    public static String field(Sign mapping, int index) {
        return mapping != null ? "spec.kernelMappings[" + index + "].sign" : "spec.sign";
    }

    /**
     * The image a build pushes when its output is signed afterwards: the signed image's tag with {@code -unsigned}
     * (shortened with a hash when the tag would exceed 128 characters).
     *
     * @param signed a reference with a tag (or none, meaning latest), without digest
     */
    public static String unsignedImage(String signed) {
        int slash = signed.lastIndexOf('/');
        int colon = signed.lastIndexOf(':');
        String repository = colon > slash ? signed.substring(0, colon) : signed;
        String tag = colon > slash ? signed.substring(colon + 1) : "latest";
        String unsignedTag = tag + UNSIGNED_SUFFIX;
        if (unsignedTag.length() > 128) {
            unsignedTag = tag.substring(0, 100) + "-" + LabelValues.hash(tag, 10) + UNSIGNED_SUFFIX;
        }
        return repository + ":" + unsignedTag;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}

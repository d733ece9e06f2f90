package io.kmm.kernel;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel version as a node reports it ({@code uname -r}), with its X.Y.Z part when it has one.
 *
 * @param full the whole version string, e.g. {@code 5.16.11-200.fc35.x86_64}
 * @param x major version, empty when the string does not start with {@code X.Y}
 * @param y minor version
 * @param z patch level, empty when the string has only {@code X.Y}
 */
public record KernelVersion(String full, Optional<String> x, Optional<String> y, Optional<String> z) {

    private static final Pattern XYZ = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    public static KernelVersion parse(String full) {
        Matcher m = XYZ.matcher(full);
        if (!m.find()) {
            return new KernelVersion(full, Optional.empty(), Optional.empty(), Optional.empty());
        }
        return new KernelVersion(full, Optional.of(m.group(1)), Optional.of(m.group(2)),
                Optional.ofNullable(m.group(3)));
    }

    /** {@code X.Y.Z}, present only when all three parts are. */
    public Optional<String> xyz() {
        if (x.isEmpty() || y.isEmpty() || z.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(x.get() + "." + y.get() + "." + z.get());
    }
}

package io.kmm.meta;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Turns arbitrary strings (kernel versions, Module names) into valid Kubernetes label values, deterministically.
 * The node labeller and the Module controller both use {@link #normalise(String)}, so a DaemonSet's node selector
 * always equals the label written on its nodes.
 */
public final class LabelValues {

    public static final int MAX_LENGTH = 63;
    private static final int HASH_LENGTH = 8;
    private static final Pattern VALID = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern INVALID_CHAR = Pattern.compile("[^-A-Za-z0-9_.]");

    private LabelValues() {
    }

    /** Whether {@code value} may be used as a label value as it is. */
    public static boolean isValid(String value) {
        return value.length() <= MAX_LENGTH && VALID.matcher(value).matches();
    }

    /**
     * Returns {@code value} unchanged when it is a valid label value. Otherwise replaces characters not allowed in
     * label values with '_', trims to fit and appends '-' and a hash of the original, so two different inputs never
     * map to the same label value; e.g. {@code 6.8.0-rc1+} becomes {@code 6.8.0-rc1-<hash>}.
     */
    public static String normalise(String value) {
        if (isValid(value)) {
            return value;
        }
        String hash = hash(value, HASH_LENGTH);
        String readable = INVALID_CHAR.matcher(value).replaceAll("_");
        int room = MAX_LENGTH - HASH_LENGTH - 1;
        if (readable.length() > room) {
            readable = readable.substring(0, room);
        }
        readable = trimToAlphanumeric(readable);
        return readable.isEmpty() ? hash : readable + "-" + hash;
    }

    /** The first {@code length} hex digits of the SHA-256 of {@code value}. */
    public static String hash(String value, int length) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, length);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static String trimToAlphanumeric(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && !Character.isLetterOrDigit(s.charAt(start))) {
            start++;
        }
        while (end > start && !Character.isLetterOrDigit(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }
}

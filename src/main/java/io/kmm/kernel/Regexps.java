package io.kmm.kernel;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles kernel-mapping regular expressions with RE2/J, whose matching time is linear in the input. Compiling is
 * not: a short pattern with nested repetitions builds a huge program, so the size it would compile to is estimated
 * from its text first ({@link RegexpSize}) and a pattern over {@link RegexpSize#MAX} is refused without compiling.
 * Compiled patterns (and refusals) are cached, bounded by the total length of their texts.
 */
public final class Regexps {

    /** The cache holds patterns whose texts add up to at most this many characters (about 2 MB of heap). */
    static final long MAX_CACHED_CHARS = 1_000_000;
    private static final int ENTRY_OVERHEAD = 64;

    /** A compiled pattern, or the reason it does not compile. */
    public record Compiled(Pattern pattern, String error) {
        public boolean valid() {
            return pattern != null;
        }
    }

    private static final LinkedHashMap<String, Compiled> CACHE = new LinkedHashMap<>(64, 0.75f, true);
    private static long cachedChars;

    private Regexps() {
    }

    public static Compiled compile(String regexp) {
        synchronized (CACHE) {
            Compiled cached = CACHE.get(regexp);
            if (cached != null) {
                return cached;
            }
        }
        Compiled compiled = compileUncached(regexp);
        synchronized (CACHE) {
            if (CACHE.put(regexp, compiled) == null) {
                cachedChars += regexp.length() + ENTRY_OVERHEAD;
            }
            Iterator<Map.Entry<String, Compiled>> eldest = CACHE.entrySet().iterator();
            while (cachedChars > MAX_CACHED_CHARS && eldest.hasNext()) {
                cachedChars -= eldest.next().getKey().length() + ENTRY_OVERHEAD;
                eldest.remove();
            }
        }
        return compiled;
    }

    static Compiled compileUncached(String regexp) {
        long size = RegexpSize.of(regexp);
        if (size > RegexpSize.MAX) {
            return new Compiled(null, "it would compile to about " + (size == Long.MAX_VALUE ? "more than 9e18"
                    : String.format("%,d", size)) + " instructions (repetition counts multiply when nested), more "
                    + "than the " + String.format("%,d", RegexpSize.MAX) + " allowed: write a simpler one");
        }
        if (size < 0 && regexp.indexOf('{') >= 0) {
            // Only counted repetitions make a program larger than its text: one the estimate cannot read is refused
            // rather than compiled unbounded. (Without them RE2/J's own error, or its pattern, comes at once.)
            return new Compiled(null, "its counted repetitions ({n,m}) could not be checked for size; write them "
                    + "plainly, e.g. [0-9]{1,3}");
        }
        try {
            return new Compiled(Pattern.compile(regexp), null);
        } catch (PatternSyntaxException e) {
            return new Compiled(null, e.getMessage());
        }
    }

    /** Entries and characters cached (for tests). */
    static long[] cacheWeight() {
        synchronized (CACHE) {
            return new long[] { CACHE.size(), cachedChars };
        }
    }
}

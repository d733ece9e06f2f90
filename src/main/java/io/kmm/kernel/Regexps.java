package io.kmm.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles kernel-mapping regular expressions with RE2/J, whose matching time is linear in the input, so no pattern
 * a user writes can hang the operator. Compiled patterns (and compile errors) are cached, bounded.
 */
public final class Regexps {

    private static final int MAX_CACHED = 2048;

    /** A compiled pattern, or the reason it does not compile. */
    public record Compiled(Pattern pattern, String error) {
        public boolean valid() {
            return pattern != null;
        }
    }

    private static final Map<String, Compiled> CACHE = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Compiled> eldest) {
                    return size() > MAX_CACHED;
                }
            });

    private Regexps() {
    }

    public static Compiled compile(String regexp) {
        Compiled cached = CACHE.get(regexp);
        if (cached != null) {
            return cached;
        }
        Compiled compiled;
        try {
            compiled = new Compiled(Pattern.compile(regexp), null);
        } catch (PatternSyntaxException e) {
            compiled = new Compiled(null, e.getMessage());
        }
        CACHE.put(regexp, compiled);
        return compiled;
    }
}

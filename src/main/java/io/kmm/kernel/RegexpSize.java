package io.kmm.kernel;

/**
 * The size a regular expression compiles to, estimated from its text before anything is compiled: RE2/J matches in
 * linear time, but compiling {@code ((a{100}){100}){100}} builds a million instructions (nested repetition counts
 * multiply, as in Go's regexp before CVE-2022-41715), enough to hold a reconcile thread and the heap. Each literal,
 * class or escape counts one; {@code x{n,m}} counts x m times ({@code x{n,}} n+1 times); {@code *}, {@code ?} once,
 * {@code +} twice; alternatives add up. Pure, linear in the text.
 */
public final class RegexpSize {

    /** The largest estimated size a kernel mapping's regexp may have. */
    public static final long MAX = 5_000;

    private final String re;
    private int pos;

    private RegexpSize(String re) {
        this.re = re;
    }

    /** The estimated size, saturating at {@code Long.MAX_VALUE}; {@code -1} when the text does not parse (RE2/J then says why). */
    public static long of(String regexp) {
        RegexpSize p = new RegexpSize(regexp);
        try {
            long size = p.alternation();
            return p.pos == regexp.length() ? size : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private long alternation() {
        long total = sequence();
        while (pos < re.length() && re.charAt(pos) == '|') {
            pos++;
            total = add(total, sequence());
        }
        return total;
    }

    private long sequence() {
        long total = 0;
        while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
            long atom = atom();
            total = add(total, multiply(atom, quantifiers()));
        }
        return total;
    }

    /** The factor of the quantifiers after an atom (several multiply, e.g. {@code a{10}{10}}). */
    private long quantifiers() {
        long factor = 1;
        while (pos < re.length()) {
            char c = re.charAt(pos);
            if (c == '*' || c == '?') {
                pos++;
            } else if (c == '+') {
                pos++;
                factor = multiply(factor, 2);
            } else if (c == '{') {
                long repeat = repeat();
                if (repeat < 0) {
                    return factor; // not a repetition: a literal '{', read as the next atom
                }
                factor = multiply(factor, repeat);
            } else {
                return factor;
            }
            if (pos < re.length() && re.charAt(pos) == '?') {
                pos++; // lazy
            }
        }
        return factor;
    }

    /** {@code {n}}, {@code {n,}}, {@code {n,m}} at pos: its count (and pos after it), or -1 (pos unchanged). */
    private long repeat() {
        int i = pos + 1;
        long n = 0;
        int digits = 0;
        while (i < re.length() && Character.isDigit(re.charAt(i)) && digits < 9) {
            n = n * 10 + (re.charAt(i++) - '0');
            digits++;
        }
        if (digits == 0 || i >= re.length()) {
            return -1;
        }
        long count = n;
        if (re.charAt(i) == ',') {
            i++;
            long m = 0;
            int mDigits = 0;
            while (i < re.length() && Character.isDigit(re.charAt(i)) && mDigits < 9) {
                m = m * 10 + (re.charAt(i++) - '0');
                mDigits++;
            }
            count = mDigits == 0 ? n + 1 : Math.max(n, m);
        }
        if (i >= re.length() || re.charAt(i) != '}') {
            return -1;
        }
        pos = i + 1;
        return Math.max(count, 1);
    }

    private long atom() {
        char c = re.charAt(pos);
        switch (c) {
            case '(':
                return group();
            case '[':
                pos = classEnd(pos + 1);
                return 1;
            case '\\':
                return escape();
            case '{':
                pos++; // a '{' that starts no repetition is a literal
                return 1;
            case '*':
            case '+':
            case '?':
                throw new IllegalArgumentException("missing argument to repetition operator");
            default:
                pos++;
                return 1;
        }
    }

    private long group() {
        pos++; // '('
        if (pos < re.length() && re.charAt(pos) == '?') {
            int close = re.indexOf(')', pos);
            int colon = re.indexOf(':', pos);
            int angle = re.indexOf('<', pos);
            if (angle == pos + 1 || (angle == pos + 2 && re.charAt(pos + 1) == 'P')) {
                int end = re.indexOf('>', angle);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated group name");
                }
                pos = end + 1; // a named group: its content follows
            } else if (colon >= 0 && (close < 0 || colon < close)) {
                pos = colon + 1; // (?flags:...)
            } else if (close >= 0) {
                pos = close + 1; // (?flags): no content
                return 0;
            } else {
                throw new IllegalArgumentException("unterminated flags");
            }
        }
        long size = alternation();
        if (pos >= re.length() || re.charAt(pos) != ')') {
            throw new IllegalArgumentException("missing )");
        }
        pos++;
        return Math.max(size, 1);
    }

    /** The position after the class that starts at {@code start} (just after '['). */
    private int classEnd(int start) {
        int i = start;
        if (i < re.length() && re.charAt(i) == '^') {
            i++;
        }
        if (i < re.length() && re.charAt(i) == ']') {
            i++; // a leading ']' is a literal
        }
        while (i < re.length()) {
            char c = re.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
                int end = re.indexOf(":]", i + 2);
                i = end < 0 ? i + 1 : end + 2;
            } else if (c == ']') {
                return i + 1;
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("missing ]");
    }

    private long escape() {
        if (pos + 1 >= re.length()) {
            throw new IllegalArgumentException("trailing backslash");
        }
        char c = re.charAt(pos + 1);
        if (c == 'Q') {
            int end = re.indexOf("\\E", pos + 2);
            int stop = end < 0 ? re.length() : end;
            long size = Math.max(stop - (pos + 2), 0);
            pos = end < 0 ? re.length() : end + 2;
            return size;
        }
        if ((c == 'p' || c == 'P' || c == 'x') && pos + 2 < re.length() && re.charAt(pos + 2) == '{') {
            int end = re.indexOf('}', pos + 3);
            if (end < 0) {
                throw new IllegalArgumentException("missing }");
            }
            pos = end + 1;
            return 1;
        }
        if (c == 'x') {
            pos = Math.min(pos + 4, re.length());
            return 1;
        }
        pos += (c == 'p' || c == 'P') ? 3 : 2;
        return 1;
    }

    private static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long multiply(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}

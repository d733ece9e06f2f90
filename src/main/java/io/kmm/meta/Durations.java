package io.kmm.meta;

import java.time.Duration;

/** Durations as a user writes them in configuration ({@code 3m20s}, {@code 15s}, {@code 500ms}), not ISO-8601. */
public final class Durations {

    private Durations() {
    }

    public static String text(Duration d) {
        if (d == null) {
            return "unset";
        }
        if (d.isNegative()) {
            return "-" + text(d.negated());
        }
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0) {
            out.append(seconds).append('s');
        }
        if (millis > 0) {
            out.append(millis).append("ms");
        }
        return out.isEmpty() ? d.toNanos() + "ns" : out.toString();
    }
}

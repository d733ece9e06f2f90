package io.kmm.build.kaniko;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a failed Kaniko build says about its failure, from the end of its log (the pod's termination message: the
 * kubelet keeps the last 80 lines or 2 KiB of a container that failed, with {@code FallbackToLogsOnError}): the
 * Dockerfile step Kaniko ran last, the first compiler or make error lines after it, and Kaniko's own error. Pure; the
 * log is a tenant's build output, so the result is bounded and stripped of terminal escapes and control characters.
 */
public final class KanikoFailure {

    /** At most this many characters of summary (a Module's status message carries it). */
    static final int MAX = 600;
    private static final int MAX_STEP = 160;
    private static final int MAX_ERROR_LINES = 3;

    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\n\t]]");
    /** Kaniko's log line for a step: {@code INFO[0007] RUN make ...} (its colour format, escapes removed). */
    private static final Pattern STEP = Pattern.compile(
            "^INFO\\[\\d+\\] ((?:RUN|COPY|ADD|FROM|WORKDIR|ARG|ENV|USER) .*)$");
    /** gcc's and the shell's words for a failure. */
    private static final Pattern ERROR = Pattern.compile(
            "(?i)(: (fatal )?error: |: not found$|: command not found$|No such file)");
    /** make's, told only when nothing else is (it repeats the compiler's failure once per directory level). */
    private static final Pattern MAKE = Pattern.compile("^g?make(\\[\\d+\\])?: \\*\\*\\* ");
    /** Kaniko's own last word: {@code error building image: ...} (its logger's or cobra's). */
    private static final Pattern KANIKO = Pattern.compile("(error building image|error resolving [a-z ]+:|"
            + "error checking push permissions|failed to push|UNAUTHORIZED|unauthorized).*$");

    /** The last line of the usage text Kaniko's command line prints after an error found before the build. */
    private static final String USAGE_END = "Use \"executor [command] --help\"";

    /**
     * When Kaniko fails before it builds (it cannot resolve its source context, the Dockerfile path or the
     * destination), its error is followed by its whole usage text, longer than the log's end the kubelet keeps.
     */
    static final String BEFORE_BUILD = "Kaniko stopped before building: it could not resolve its source (the Git URL, "
            + "ref or contextDir), the Dockerfile or the destination; the first line of its log names it";

    private KanikoFailure() {
    }

    /** @return a one-paragraph summary, or null when the log says nothing that helps */
    public static String summary(String log) {
        if (log == null || log.isBlank()) {
            return null;
        }
        String clean = CONTROL.matcher(ESCAPES.matcher(log).replaceAll("")).replaceAll("");
        List<String> lines = clean.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        int stepAt = -1;
        String step = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = STEP.matcher(lines.get(i));
            if (m.matches()) {
                stepAt = i;
                step = m.group(1).strip();
            }
        }
        List<String> errors = new ArrayList<>();
        String kaniko = null;
        String make = null;
        for (int i = Math.max(0, stepAt + 1); i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher k = KANIKO.matcher(line);
            if (k.find()) {
                kaniko = k.group();
            } else if (errors.size() < MAX_ERROR_LINES && ERROR.matcher(line).find()) {
                errors.add(line.replaceFirst("^(ERRO|INFO|WARN)\\[\\d+\\] ", ""));
            } else if (make == null && MAKE.matcher(line).find()) {
                make = line;
            }
        }
        if (errors.isEmpty() && make != null) {
            errors.add(make);
        }
        if (step == null && errors.isEmpty() && kaniko == null) {
            return clean.contains(USAGE_END) ? BEFORE_BUILD : null;
        }
        StringBuilder out = new StringBuilder();
        if (step != null) {
            out.append("step '").append(cut(step, MAX_STEP)).append("' failed");
        }
        if (!errors.isEmpty()) {
            out.append(out.isEmpty() ? "" : ": ").append(String.join(" / ", errors));
        }
        if (kaniko != null) {
            out.append(out.isEmpty() ? "" : "; ").append("kaniko: ").append(kaniko);
        }
        return cut(out.toString(), MAX);
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}

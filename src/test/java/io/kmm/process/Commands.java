package io.kmm.process;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Running the project's scripts and the machine's tools from tests, with a deadline and their output kept. */
public final class Commands {

    private Commands() {
    }

    public record Result(int code, String stdout, String stderr) {

        /** Both streams, for failure messages. */
        public String output() {
            return stdout + stderr;
        }
    }

    /** Runs a command in the project directory; its output goes to files, so that a large output cannot block it. */
    public static Result run(Duration timeout, Map<String, String> env, String stdin, List<String> command)
            throws Exception {
        Path out = Files.createTempFile("command", ".out");
        Path err = Files.createTempFile("command", ".err");
        try {
            ProcessBuilder b = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            b.environment().remove("KUBECONFIG");
            b.environment().putAll(env);
            Process p = b.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + ":\n" + Files.readString(out) + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result run(Duration timeout, String... command) throws Exception {
        return run(timeout, Map.of(), null, List.of(command));
    }

    /** Runs the command and returns its standard output; fails with both streams unless it exits 0. */
    public static String ok(Duration timeout, Map<String, String> env, String... command) throws Exception {
        Result r = run(timeout, env, null, new ArrayList<>(List.of(command)));
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.code() + "):\n" + r.output());
        }
        return r.stdout();
    }

    public static String ok(Duration timeout, String... command) throws Exception {
        return ok(timeout, Map.of(), command);
    }
}

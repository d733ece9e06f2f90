package io.kmm.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The kube-apiserver's audit log (JSON lines, level Metadata, stage ResponseComplete): who sent which request and
 * what the server answered. The real authorizer's verdicts are the response codes (403 = denied).
 */
public final class AuditLog {

    /** Verbs that change something. */
    public static final Set<String> WRITES = Set.of("create", "update", "patch", "delete", "deletecollection");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request. {@code resource} includes the subresource ({@code modules/status}); group "" is core. */
    public record Entry(Instant time, String user, String verb, String group, String resource, String namespace,
            String name, int code, String uri, String userAgent, String authorization) {

        /** Denied by the authorizer (RBAC), as opposed to a 403 from admission, e.g. a namespace being deleted. */
        public boolean forbidden() {
            return "forbid".equals(authorization);
        }

        public boolean isWrite() {
            return WRITES.contains(verb);
        }

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "" : group + "/") + resource
                    + (namespace.isEmpty() ? "" : " in " + namespace) + (name.isEmpty() ? "" : " " + name)
                    + " -> " + code;
        }
    }

    private AuditLog() {
    }

    /** Every completed request in the log, in order. */
    public static List<Entry> read(Path log) throws IOException {
        List<Entry> entries = new ArrayList<>();
        if (!Files.exists(log)) {
            return entries;
        }
        try (BufferedReader lines = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException partial) {
                    continue; // the last line may still be being written
                }
                if (!"ResponseComplete".equals(e.path("stage").asText())) {
                    continue;
                }
                JsonNode ref = e.path("objectRef");
                String resource = ref.path("resource").asText("");
                String sub = ref.path("subresource").asText("");
                entries.add(new Entry(Instant.parse(e.path("stageTimestamp").asText()),
                        e.path("user").path("username").asText(), e.path("verb").asText(),
                        ref.path("apiGroup").asText(""), sub.isEmpty() ? resource : resource + "/" + sub,
                        ref.path("namespace").asText(""), ref.path("name").asText(""),
                        e.path("responseStatus").path("code").asInt(), e.path("requestURI").asText(),
                        e.path("userAgent").asText(""),
                        e.path("annotations").path("authorization.k8s.io/decision").asText("")));
            }
        }
        return entries;
    }

    /** The entries of one user after a point in time. */
    public static List<Entry> of(Path log, String user, Instant after) throws IOException {
        return read(log).stream().filter(e -> e.user().equals(user) && !e.time().isBefore(after)).toList();
    }
}

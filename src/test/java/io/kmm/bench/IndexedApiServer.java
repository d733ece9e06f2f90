package io.kmm.bench;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.zjsonpatch.JsonPatch;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;

/**
 * A small in-memory Kubernetes API server for the scale benchmark, indexed where the fabric8 mock server scans: every
 * object is found by resource, namespace and name in O(1), so that 5,000 nodes measure the operator rather than the
 * server. It speaks what the operator and the benchmark use: get, list and watch (HTTP streaming and WebSocket, label
 * selectors with =, !=, exists, in; metadata.name/namespace field selectors; resourceVersion with a bounded event
 * history, 410 Gone before it), create, update (409 on a stale resourceVersion), the status subresource, JSON merge
 * and JSON patches, delete. Generation follows spec changes. Not a validating server: no schemas, no admission.
 *
 * <p>Every request is counted by the client's User-Agent, method and resource ({@link #counts(String)}), so the
 * benchmark can report what the operator sent. Test code, for the benchmark only.
 */
public final class IndexedApiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HISTORY = 200_000;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final HttpServer server;
    private final Map<String, Collection> collections = new HashMap<>();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, List<java.util.function.BiConsumer<String, ObjectNode>>> listeners = new HashMap<>();
    private long resourceVersion = 1;

    /** Objects of one resource (group/plural) and their watchers. Only touched on the server's event loop. */
    private static final class Collection {
        final String group;
        final String version;
        final String plural;
        final Map<String, ObjectNode> items = new LinkedHashMap<>();
        final ArrayDeque<Event> history = new ArrayDeque<>();
        final List<Watcher> watchers = new ArrayList<>();

        Collection(String group, String version, String plural) {
            this.group = group;
            this.version = version;
            this.plural = plural;
        }
    }

    private record Event(long rv, String type, ObjectNode object) {
    }

    private record Watcher(Predicate<ObjectNode> filter, Consumer<String> sink) {
    }

    /** One parsed request path. */
    private record Target(String group, String version, String plural, String namespace, String name,
            String subresource) {
        String key() {
            return group + "/" + plural;
        }
    }

    public IndexedApiServer() throws Exception {
        // one frame per watch event, of any size, as the real API server sends them (Vert.x would otherwise split
        // events over 64 KiB into continuation frames)
        server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                .setMaxWebSocketFrameSize(4 << 20).setMaxWebSocketMessageSize(4 << 20));
        server.webSocketHandler(this::webSocket);
        server.requestHandler(request -> request.body().onSuccess(body -> {
            try {
                handle(request, body);
            } catch (RuntimeException e) {
                send(request.response(), 500, status(500, "InternalError", String.valueOf(e)));
            }
        }));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/";
    }

    /** Requests so far, as {@code "VERB resource"} to count, for clients whose User-Agent starts with the prefix. */
    public Map<String, Long> counts(String userAgentPrefix) {
        Map<String, Long> out = new java.util.TreeMap<>();
        counts.forEach((k, v) -> {
            if (k.startsWith(userAgentPrefix)) {
                out.merge(k.substring(k.indexOf('|') + 1), v.sum(), Long::sum);
            }
        });
        return out;
    }

    /** Runs a function on the server's event loop against its store, e.g. to count objects without a request. */
    public <T> T inspect(java.util.function.Function<Inspector, T> query) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                result.complete(query.apply(new Inspector()));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(60, TimeUnit.SECONDS);
    }

    /** Read access to the store and direct writes (which notify watchers), for the benchmark's own side. */
    public final class Inspector {
        /** Calls the listener on the server's event loop for every change of the resource (type, object). */
        public void listen(String group, String plural, java.util.function.BiConsumer<String, ObjectNode> listener) {
            listeners.computeIfAbsent(group + "/" + plural, k -> new ArrayList<>()).add(listener);
        }

        /** Creates an object as a POST would (no request counted). */
        public void create(String group, String version, String plural, ObjectNode o) {
            Collection c = collections.computeIfAbsent(group + "/" + plural, k -> new Collection(group, version, plural));
            ObjectNode meta = (ObjectNode) o.get("metadata");
            meta.put("uid", UUID.randomUUID().toString()).put("generation", 1)
                    .put("creationTimestamp", Instant.now().toString().replaceAll("\\.\\d+Z$", "Z"));
            store(c, o, "ADDED");
        }

        public List<ObjectNode> list(String group, String plural, Predicate<ObjectNode> filter) {
            Collection c = collections.get(group + "/" + plural);
            return c == null ? List.of() : c.items.values().stream().filter(filter).toList();
        }

        /** Replaces an object's status as a kubelet or controller would (PUT .../status). */
        public void writeStatus(String group, String plural, String namespace, String name,
                Consumer<ObjectNode> edit) {
            Collection c = collections.get(group + "/" + plural);
            ObjectNode current = c.items.get(itemKey(namespace, name));
            ObjectNode updated = current.deepCopy();
            edit.accept(updated.has("status") ? (ObjectNode) updated.get("status") : updated.putObject("status"));
            store(c, updated, "MODIFIED");
        }
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpServerRequest request, Buffer body) {
        String path = request.path();
        String agent = String.valueOf(request.getHeader("User-Agent"));
        if (path.equals("/version")) {
            send(request.response(), 200, JSON.createObjectNode().put("major", "1").put("minor", "32")
                    .put("gitVersion", "v1.32.0"));
            return;
        }
        Target t = parse(path);
        String verb = request.method().name();
        boolean watch = "true".equals(request.getParam("watch")) || "1".equals(request.getParam("watch"));
        count(agent, (watch ? "WATCH" : verb) + " " + (t == null ? path : t.plural()
                + (t.subresource() == null ? "" : "/" + t.subresource())));
        if (t == null || t.plural() == null) {
            send(request.response(), 404, status(404, "NotFound", "no such path " + path));
            return;
        }
        Collection c = collections.computeIfAbsent(t.key(), k -> new Collection(t.group(), t.version(), t.plural()));
        HttpServerResponse response = request.response();
        switch (verb) {
            case "GET" -> {
                if (watch) {
                    Watcher w = startWatch(c, t, request.params().get("labelSelector"),
                            request.params().get("fieldSelector"), request.getParam("resourceVersion"),
                            httpSink(response), () -> response.end("{\"type\":\"ERROR\",\"object\":"
                                    + status(410, "Expired", "too old resource version") + "}\n"));
                    response.closeHandler(v -> c.watchers.remove(w));
                } else if (t.name() != null) {
                    ObjectNode o = c.items.get(itemKey(t.namespace(), t.name()));
                    send(response, o == null ? 404 : 200, o == null ? notFound(t) : o);
                } else {
                    send(response, 200, list(c, t, request.getParam("labelSelector"),
                            request.getParam("fieldSelector")));
                }
            }
            case "POST" -> {
                ObjectNode o = (ObjectNode) read(body);
                ObjectNode meta = o.has("metadata") ? (ObjectNode) o.get("metadata") : o.putObject("metadata");
                if (!meta.hasNonNull("name") && meta.hasNonNull("generateName")) {
                    meta.put("name", meta.get("generateName").asText() + UUID.randomUUID().toString().substring(0, 5));
                }
                if (t.namespace() != null) {
                    meta.put("namespace", t.namespace());
                }
                String key = itemKey(t.namespace(), meta.path("name").asText());
                if (c.items.containsKey(key)) {
                    send(response, 409, status(409, "AlreadyExists", t.plural() + " \"" + meta.path("name").asText()
                            + "\" already exists"));
                    return;
                }
                meta.put("uid", UUID.randomUUID().toString()).put("creationTimestamp", Instant.now().toString()
                        .replaceAll("\\.\\d+Z$", "Z")).put("generation", 1);
                send(response, 201, store(c, o, "ADDED"));
            }
            case "PUT" -> {
                ObjectNode current = c.items.get(itemKey(t.namespace(), t.name()));
                if (current == null) {
                    send(response, 404, notFound(t));
                    return;
                }
                ObjectNode sent = (ObjectNode) read(body);
                String rv = sent.path("metadata").path("resourceVersion").asText("");
                if (!rv.isEmpty() && !rv.equals(current.path("metadata").path("resourceVersion").asText())) {
                    send(response, 409, status(409, "Conflict", "the object has been modified; please apply your "
                            + "changes to the latest version and try again"));
                    return;
                }
                send(response, 200, store(c, merged(current, sent, t.subresource()), "MODIFIED"));
            }
            case "PATCH" -> {
                ObjectNode current = c.items.get(itemKey(t.namespace(), t.name()));
                if (current == null) {
                    send(response, 404, notFound(t));
                    return;
                }
                JsonNode patch = read(body);
                String type = String.valueOf(request.getHeader("Content-Type"));
                JsonNode patched = type.contains("json-patch") ? JsonPatch.apply(patch, current.deepCopy())
                        : mergePatch(current.deepCopy(), patch);
                send(response, 200, store(c, merged(current, (ObjectNode) patched, t.subresource()), "MODIFIED"));
            }
            case "DELETE" -> {
                if (t.name() == null) {
                    List<ObjectNode> gone = c.items.values().stream()
                            .filter(selector(t, request.getParam("labelSelector"), request.getParam("fieldSelector")))
                            .toList();
                    gone.forEach(o -> remove(c, o));
                    send(response, 200, listOf(c, gone));
                    return;
                }
                ObjectNode current = c.items.get(itemKey(t.namespace(), t.name()));
                if (current == null) {
                    send(response, 404, notFound(t));
                    return;
                }
                remove(c, current);
                send(response, 200, current);
            }
            default -> send(response, 405, status(405, "MethodNotAllowed", verb));
        }
    }

    private void webSocket(ServerWebSocket ws) {
        Target t = parse(ws.path());
        Map<String, String> query = new HashMap<>();
        if (ws.query() != null) {
            for (String pair : ws.query().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        String agent = String.valueOf(ws.headers().get("User-Agent"));
        count(agent, "WATCH " + (t == null ? ws.path() : t.plural()));
        if (t == null || t.plural() == null) {
            ws.reject(404);
            return;
        }
        Collection c = collections.computeIfAbsent(t.key(), k -> new Collection(t.group(), t.version(), t.plural()));
        Watcher[] registered = new Watcher[1];
        registered[0] = startWatch(c, t, query.get("labelSelector"), query.get("fieldSelector"),
                query.get("resourceVersion"), line -> {
                    if (!ws.isClosed()) {
                        ws.writeTextMessage(line);
                    }
                }, () -> ws.writeTextMessage("{\"type\":\"ERROR\",\"object\":" + status(410, "Expired",
                        "too old resource version") + "}").onComplete(x -> ws.close()));
        ws.closeHandler(v -> c.watchers.remove(registered[0]));
    }

    private Consumer<String> httpSink(HttpServerResponse response) {
        response.setChunked(true).putHeader("Content-Type", "application/json");
        response.setStatusCode(200);
        return line -> {
            if (!response.closed()) {
                response.write(line + "\n");
            }
        };
    }

    private Watcher startWatch(Collection c, Target t, String labelSelector, String fieldSelector, String fromRv,
            Consumer<String> sink, Runnable gone) {
        Predicate<ObjectNode> filter = selector(t, labelSelector, fieldSelector);
        long from = fromRv == null || fromRv.isEmpty() ? 0 : Long.parseLong(fromRv);
        if (from == 0) {
            c.items.values().stream().filter(filter).forEach(o -> sink.accept(event("ADDED", o)));
        } else {
            Event oldest = c.history.peekFirst();
            if (oldest != null && oldest.rv() > from + 1 && c.history.size() >= HISTORY) {
                gone.run();
                return null;
            }
            for (Event e : c.history) {
                if (e.rv() > from && filter.test(e.object())) {
                    sink.accept(event(e.type(), e.object()));
                }
            }
        }
        Watcher w = new Watcher(filter, sink);
        c.watchers.add(w);
        return w;
    }

    // ---------------------------------------------------------------- store

    private ObjectNode store(Collection c, ObjectNode o, String type) {
        ObjectNode meta = (ObjectNode) o.get("metadata");
        meta.put("resourceVersion", Long.toString(++resourceVersion));
        c.items.put(itemKey(meta.path("namespace").asText(null), meta.path("name").asText()), o);
        publish(c, type, o);
        return o;
    }

    private void remove(Collection c, ObjectNode o) {
        ObjectNode meta = (ObjectNode) o.get("metadata");
        c.items.remove(itemKey(meta.path("namespace").asText(null), meta.path("name").asText()));
        ObjectNode deleted = o.deepCopy();
        ((ObjectNode) deleted.get("metadata")).put("resourceVersion", Long.toString(++resourceVersion));
        publish(c, "DELETED", deleted);
    }

    private void publish(Collection c, String type, ObjectNode o) {
        listeners.getOrDefault(c.group + "/" + c.plural, List.of()).forEach(l -> l.accept(type, o));
        long rv = resourceVersion;
        c.history.addLast(new Event(rv, type, o));
        while (c.history.size() > HISTORY) {
            c.history.removeFirst();
        }
        String line = null;
        for (Iterator<Watcher> it = c.watchers.iterator(); it.hasNext();) {
            Watcher w = it.next();
            if (w == null) {
                it.remove();
            } else if (w.filter().test(o)) {
                line = line == null ? event(type, o) : line;
                w.sink().accept(line);
            }
        }
    }

    /** The object to store for an update: the subresource decides which part of the sent object counts. */
    private static ObjectNode merged(ObjectNode current, ObjectNode sent, String subresource) {
        ObjectNode result;
        if ("status".equals(subresource)) {
            result = current.deepCopy();
            if (sent.has("status")) {
                result.set("status", sent.get("status"));
            } else {
                result.remove("status");
            }
        } else {
            result = sent.deepCopy();
            if (current.has("status")) {
                result.set("status", current.get("status"));
            } else {
                result.remove("status");
            }
            ObjectNode meta = result.has("metadata") ? (ObjectNode) result.get("metadata") : result.putObject("metadata");
            ObjectNode old = (ObjectNode) current.get("metadata");
            for (String kept : List.of("uid", "creationTimestamp", "name", "namespace")) {
                if (old.has(kept)) {
                    meta.set(kept, old.get(kept));
                }
            }
            long generation = old.path("generation").asLong(1);
            boolean specChanged = !java.util.Objects.equals(current.get("spec"), result.get("spec"));
            meta.put("generation", specChanged ? generation + 1 : generation);
        }
        return result;
    }

    private static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode out = target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static Target parse(String path) {
        String[] s = path.replaceAll("/+$", "").split("/");
        int i;
        String group;
        String version;
        if (s.length >= 3 && s[1].equals("api")) {
            group = "";
            version = s[2];
            i = 3;
        } else if (s.length >= 4 && s[1].equals("apis")) {
            group = s[2];
            version = s[3];
            i = 4;
        } else {
            return null;
        }
        List<String> rest = java.util.Arrays.asList(s).subList(i, s.length);
        if (rest.isEmpty()) {
            return new Target(group, version, null, null, null, null);
        }
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            return new Target(group, version, rest.get(2), rest.get(1), rest.size() > 3 ? rest.get(3) : null,
                    rest.size() > 4 ? rest.get(4) : null);
        }
        return new Target(group, version, rest.get(0), null, rest.size() > 1 ? rest.get(1) : null,
                rest.size() > 2 ? rest.get(2) : null);
    }

    private static String itemKey(String namespace, String name) {
        return (namespace == null ? "" : namespace) + "/" + name;
    }

    private static Predicate<ObjectNode> selector(Target t, String labelSelector, String fieldSelector) {
        Predicate<ObjectNode> p = o -> t.namespace() == null
                || t.namespace().equals(o.path("metadata").path("namespace").asText());
        if (labelSelector != null && !labelSelector.isBlank()) {
            for (String term : splitTerms(labelSelector)) {
                p = p.and(labelTerm(term.trim()));
            }
        }
        if (fieldSelector != null && !fieldSelector.isBlank()) {
            for (String term : fieldSelector.split(",")) {
                String[] kv = term.split("!?==?", 2);
                boolean negate = term.contains("!=");
                String field = kv[0].trim().replace("metadata.", "");
                String value = kv.length > 1 ? kv[1].trim() : "";
                p = p.and(o -> negate != value.equals(o.path("metadata").path(field).asText()));
            }
        }
        return p;
    }

    private static List<String> splitTerms(String selector) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char ch : selector.toCharArray()) {
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            }
            if (ch == ',' && depth == 0) {
                terms.add(current.toString());
                current.setLength(0);
            } else {
                current.append(ch);
            }
        }
        terms.add(current.toString());
        return terms;
    }

    private static Predicate<ObjectNode> labelTerm(String term) {
        java.util.function.Function<ObjectNode, JsonNode> labels = o -> o.path("metadata").path("labels");
        java.util.regex.Matcher set = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s+\\((.*)\\)$")
                .matcher(term);
        if (set.matches()) {
            List<String> values = java.util.Arrays.stream(set.group(3).split(",")).map(String::trim).toList();
            boolean in = set.group(2).equals("in");
            String key = set.group(1);
            return o -> in == (labels.apply(o).has(key) && values.contains(labels.apply(o).get(key).asText()));
        }
        if (term.contains("!=")) {
            String[] kv = term.split("!=", 2);
            return o -> !kv[1].equals(labels.apply(o).path(kv[0]).asText(null));
        }
        if (term.contains("=")) {
            String[] kv = term.split("==?", 2);
            return o -> kv[1].equals(labels.apply(o).path(kv[0]).asText(null));
        }
        if (term.startsWith("!")) {
            return o -> !labels.apply(o).has(term.substring(1));
        }
        return o -> labels.apply(o).has(term);
    }

    private ObjectNode list(Collection c, Target t, String labelSelector, String fieldSelector) {
        return listOf(c, c.items.values().stream().filter(selector(t, labelSelector, fieldSelector)).toList());
    }

    private ObjectNode listOf(Collection c, List<ObjectNode> items) {
        ObjectNode list = JSON.createObjectNode();
        list.put("apiVersion", c.group.isEmpty() ? c.version : c.group + "/" + c.version);
        String kind = items.isEmpty() ? "" : items.get(0).path("kind").asText("");
        list.put("kind", kind.isEmpty() ? "List" : kind + "List");
        list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        var array = list.putArray("items");
        items.forEach(array::add);
        return list;
    }

    private static String event(String type, ObjectNode o) {
        return "{\"type\":\"" + type + "\",\"object\":" + o + "}";
    }

    private static JsonNode read(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("request body is not JSON", e);
        }
    }

    private static ObjectNode notFound(Target t) {
        return status(404, "NotFound", t.plural() + " \"" + t.name() + "\" not found");
    }

    private static ObjectNode status(int code, String reason, String message) {
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure").put("message", message)
                .put("reason", reason).put("code", code);
        s.putObject("metadata");
        return s;
    }

    private static void send(HttpServerResponse response, int code, JsonNode body) {
        response.setStatusCode(code).putHeader("Content-Type", "application/json").end(body.toString());
    }

    private void count(String agent, String what) {
        counts.computeIfAbsent(agent + "|" + what, k -> new LongAdder()).increment();
    }
}

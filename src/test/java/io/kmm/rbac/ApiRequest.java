package io.kmm.rbac;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An API request as the RBAC authorizer sees it: verb, API group, resource (with subresource) and namespace, derived
 * from the HTTP method and path the way the API server's request-info resolver does.
 */
public record ApiRequest(String verb, String group, String resource, String namespace, String name) {

    /** {@code null} for paths that are not resource requests (discovery, /version). */
    public static ApiRequest parse(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        List<String> parts = new ArrayList<>(Arrays.asList(path.replaceFirst("^/", "").split("/")));
        String group;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            parts = parts.subList(2, parts.size());
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            parts = parts.subList(3, parts.size());
        } else {
            return null;
        }
        if (parts.isEmpty()) {
            return null; // discovery of a group version
        }
        String namespace = null;
        if (parts.get(0).equals("namespaces") && parts.size() >= 3) {
            namespace = parts.get(1);
            parts = parts.subList(2, parts.size());
        }
        String resource = parts.get(0);
        String name = parts.size() > 1 ? parts.get(1) : null;
        if (parts.size() > 2) {
            resource = resource + "/" + parts.get(2);
        }
        boolean watch = Arrays.stream(query.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        String verb = switch (method) {
            case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase();
        };
        return new ApiRequest(verb, group, resource, namespace, name);
    }

    @Override
    public String toString() {
        return verb + " " + (group.isEmpty() ? "core" : group) + " " + resource
                + (namespace == null ? "" : " in " + namespace) + (name == null ? "" : " (" + name + ")");
    }
}

package io.kmm.rbac;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The ClusterRole and Role the operator ships with (src/main/kubernetes/kubernetes.yml, the source of
 * kubernetes/kmm-operator.yml and of the OLM bundle's permissions), flattened to single grants.
 */
public final class ShippedRoles {

    public static final Path SOURCE = Path.of("src/main/kubernetes/kubernetes.yml");
    /** The namespace the install manifests put the operator in; its Role applies there only. */
    public static final String OPERATOR_NAMESPACE = "kmm-system";

    /** One verb on one resource (with its subresource, e.g. "modules/status") of one API group. */
    public record Grant(String group, String resource, String verb, boolean clusterWide) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            return (group.isEmpty() ? "core" : group) + " " + resource + " " + verb
                    + (clusterWide ? "" : " (namespace " + OPERATOR_NAMESPACE + ")");
        }
    }

    private final Set<Grant> grants;

    private ShippedRoles(Set<Grant> grants) {
        this.grants = grants;
    }

    public static ShippedRoles load() {
        try {
            return of(read(SOURCE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SOURCE, e);
        }
    }

    public static List<HasMetadata> read(Path yaml) throws IOException {
        try (InputStream in = Files.newInputStream(yaml)) {
            Object parsed = Serialization.unmarshal(in);
            if (parsed instanceof KubernetesList list) {
                return list.getItems();
            }
            if (parsed instanceof List<?> list) {
                List<HasMetadata> items = new ArrayList<>();
                list.forEach(o -> items.add((HasMetadata) o));
                return items;
            }
            return List.of((HasMetadata) parsed);
        }
    }

    public static ShippedRoles of(List<HasMetadata> objects) {
        Set<Grant> grants = new TreeSet<>();
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRole role) {
                add(grants, role.getRules(), true);
            } else if (o instanceof Role role) {
                add(grants, role.getRules(), false);
            }
        }
        return new ShippedRoles(grants);
    }

    /** Grants from bare rules, as a CSV lists them: clusterPermissions are cluster-wide, permissions are not. */
    public static Set<Grant> grants(List<PolicyRule> rules, boolean clusterWide) {
        Set<Grant> grants = new TreeSet<>();
        add(grants, rules, clusterWide);
        return grants;
    }

    private static void add(Set<Grant> grants, List<PolicyRule> rules, boolean clusterWide) {
        for (PolicyRule rule : rules) {
            if (rule.getResourceNames() != null && !rule.getResourceNames().isEmpty()) {
                throw new IllegalStateException("resourceNames are not modelled here: " + rule);
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        grants.add(new Grant(group, resource, verb, clusterWide));
                    }
                }
            }
        }
    }

    public Set<Grant> grants() {
        return grants;
    }

    /** Whether these roles allow the request, as the RBAC authorizer would decide it. */
    public boolean allows(ApiRequest request) {
        for (Grant g : grants) {
            if (g.group().equals(request.group()) && g.resource().equals(request.resource())
                    && g.verb().equals(request.verb())
                    && (g.clusterWide() || OPERATOR_NAMESPACE.equals(request.namespace()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The default ClusterRole system:basic-user lets every authenticated user ask what it may do (the Operator SDK's
     * check before leader election).
     */
    public static boolean isAllowedToEveryUser(ApiRequest request) {
        return request.group().equals("authorization.k8s.io") && request.verb().equals("create")
                && (request.resource().equals("selfsubjectrulesreviews")
                        || request.resource().equals("selfsubjectaccessreviews"));
    }
}

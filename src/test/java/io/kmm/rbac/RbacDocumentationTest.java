package io.kmm.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.kmm.rbac.ShippedRoles.Grant;

/** The shipped roles grant exactly what docs/security.md lists and justifies. */
class RbacDocumentationTest {

    static final Path DOC = Path.of("docs/security.md");

    static Set<Grant> documented() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int start = lines.indexOf("<!-- permissions: RbacDocumentationTest checks that this table and the shipped "
                + "roles are the same, row by row -->");
        assertThat(start).as("the permissions table marker in " + DOC).isNotNegative();
        Set<Grant> grants = new TreeSet<>();
        for (String line : lines.subList(start + 3, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            String[] cells = line.split("\\|");
            String group = cells[1].trim().equals("core") ? "" : cells[1].trim();
            String scope = cells[4].trim();
            assertThat(cells[5].trim()).as("the why of " + line).hasSizeGreaterThan(20);
            assertThat(scope).isIn("cluster", ShippedRoles.OPERATOR_NAMESPACE);
            for (String resource : cells[2].split(",")) {
                for (String verb : cells[3].split(",")) {
                    grants.add(new Grant(group, resource.trim(), verb.trim(), scope.equals("cluster")));
                }
            }
        }
        return grants;
    }

    @Test
    void rolesGrantExactlyWhatTheDocsList() throws IOException {
        Set<Grant> shipped = ShippedRoles.load().grants();
        Set<Grant> documented = documented();
        Set<Grant> undocumented = new TreeSet<>(shipped);
        undocumented.removeAll(documented);
        Set<Grant> notGranted = new TreeSet<>(documented);
        notGranted.removeAll(shipped);
        assertThat(undocumented).as("granted by %s but not listed in %s", ShippedRoles.SOURCE, DOC).isEmpty();
        assertThat(notGranted).as("listed in %s but not granted by %s", DOC, ShippedRoles.SOURCE).isEmpty();
    }

    @Test
    void noWildcardsAndNoSecretListing() {
        for (Grant g : ShippedRoles.load().grants()) {
            assertThat(g.verb()).isNotEqualTo("*");
            assertThat(g.resource()).isNotEqualTo("*");
            assertThat(g.group()).isNotEqualTo("*");
            if (g.resource().equals("secrets")) {
                assertThat(g.verb()).as("Secrets are read by name only").isEqualTo("get");
            }
        }
    }

    @Test
    void theOperatorInstallsNoCrdInTheCluster() throws IOException {
        // The audit of the scenario tests leaves out the CRD install that only dev and test do.
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        assertThat(p.getProperty("quarkus.operator-sdk.crd.apply")).isEqualTo("false");
        assertThat(p.getProperty("quarkus.operator-sdk.crd.validate")).isEqualTo("false");
        assertThat(p.stringPropertyNames()).noneMatch(k -> k.startsWith("%prod.quarkus.operator-sdk.crd"));
    }

    @Test
    void requestsAreParsedAsTheAuthorizerDoes() {
        assertThat(ApiRequest.parse("GET", "/api/v1/nodes?watch=true&resourceVersion=1"))
                .isEqualTo(new ApiRequest("watch", "", "nodes", null, null));
        assertThat(ApiRequest.parse("GET", "/api/v1/namespaces/a/secrets/pull"))
                .isEqualTo(new ApiRequest("get", "", "secrets", "a", "pull"));
        assertThat(ApiRequest.parse("GET", "/api/v1/secrets"))
                .isEqualTo(new ApiRequest("list", "", "secrets", null, null));
        assertThat(ApiRequest.parse("PUT", "/apis/ooto.sigs.k8s.io/v1alpha1/namespaces/a/modules/m/status"))
                .isEqualTo(new ApiRequest("update", "ooto.sigs.k8s.io", "modules/status", "a", "m"));
        assertThat(ApiRequest.parse("PATCH", "/api/v1/nodes/n1")).isEqualTo(new ApiRequest("patch", "", "nodes", null, "n1"));
        assertThat(ApiRequest.parse("DELETE", "/apis/batch/v1/namespaces/a/jobs"))
                .isEqualTo(new ApiRequest("deletecollection", "batch", "jobs", "a", null));
        assertThat(ApiRequest.parse("GET", "/apis/apps/v1")).isNull();
        assertThat(ApiRequest.parse("GET", "/version")).isNull();
    }

    @Test
    void theAuditDeniesWhatTheRolesDoNotGrant() {
        ShippedRoles roles = ShippedRoles.load();
        assertThat(roles.allows(ApiRequest.parse("GET", "/api/v1/namespaces/a/secrets/pull"))).isTrue();
        assertThat(roles.allows(ApiRequest.parse("GET", "/api/v1/namespaces/a/secrets"))).isFalse();
        assertThat(roles.allows(ApiRequest.parse("PATCH", "/apis/ooto.sigs.k8s.io/v1alpha1/namespaces/a/modules/m")))
                .isFalse();
        assertThat(roles.allows(ApiRequest.parse("PUT", "/apis/coordination.k8s.io/v1/namespaces/kmm-system/leases/l")))
                .isTrue();
        assertThat(roles.allows(ApiRequest.parse("PUT", "/apis/coordination.k8s.io/v1/namespaces/other/leases/l")))
                .isFalse();
        assertThat(roles.allows(ApiRequest.parse("DELETE", "/api/v1/nodes/n1"))).isFalse();
    }
}

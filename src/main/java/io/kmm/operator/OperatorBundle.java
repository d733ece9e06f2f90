package io.kmm.operator;

import io.quarkiverse.operatorsdk.annotations.CSVMetadata;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Annotations;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Icon;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.InstallMode;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Link;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Maintainer;
import io.quarkiverse.operatorsdk.annotations.CSVMetadata.Provider;
import io.quarkiverse.operatorsdk.annotations.SharedCSVMetadata;

/**
 * What OperatorHub shows about the operator. quarkus-operator-sdk's bundle generator reads this at build time and
 * writes target/bundle/kmm-operator/ (CSV, CRD, annotations, bundle.Dockerfile); the permissions in the CSV come from
 * the roles in src/main/kubernetes/kubernetes.yml. See docs/install.md, "OLM / OperatorHub".
 */
@CSVMetadata(
        bundleName = OperatorBundle.NAME,
        displayName = "Kernel Module Management",
        description = OperatorBundle.DESCRIPTION,
        keywords = { "kernel", "kernel module", "driver", "out-of-tree", "daemonset", "device plugin", "kmm" },
        maturity = "alpha",
        minKubeVersion = "1.25.0",
        provider = @Provider(name = "KMM project"),
        maintainers = @Maintainer(name = "KMM maintainers", email = "kmm-maintainers@example.org"),
        links = @Link(name = "Documentation", url = "https://github.com/kmm-project/kmm-operator/tree/main/docs"),
        icon = @Icon(fileName = "kmm-icon.svg", mediatype = "image/svg+xml"),
        // The operator reconciles Modules in every namespace and labels cluster-scoped Nodes.
        installModes = {
                @InstallMode(type = "AllNamespaces", supported = true),
                @InstallMode(type = "OwnNamespace", supported = false),
                @InstallMode(type = "SingleNamespace", supported = false),
                @InstallMode(type = "MultiNamespace", supported = false) },
        annotations = @Annotations(
                capabilities = "Seamless Upgrades",
                categories = "Drivers and plugins",
                containerImage = "quay.io/kmm/kmm-operator:0.1.0-SNAPSHOT",
                repository = "https://github.com/kmm-project/kmm-operator",
                almExamples = OperatorBundle.ALM_EXAMPLES))
public class OperatorBundle implements SharedCSVMetadata {

    public static final String NAME = "kmm-operator";

    static final String DESCRIPTION = """
            Kernel Module Management (KMM) loads out-of-tree kernel modules into the kernels of your cluster's nodes.

            Declare a `Module`: which nodes need it (a node selector), and which ModuleLoader image to run for each \
            kernel (a literal kernel version or a regular expression, with `${KERNEL_FULL_VERSION}` and friends in \
            image names). The operator labels every node with its kernel version, runs one loader DaemonSet per \
            kernel on exactly the nodes that run it, and follows kernel upgrades on its own: when a node reboots \
            into a new kernel, the loader for that kernel is scheduled there and the old one goes away.

            * **In-cluster builds**: when the image for a kernel does not exist yet, KMM builds it (a Kaniko Job on \
            Kubernetes, a BuildConfig on OpenShift) and pushes it before loading.
            * **Device plugins**: an optional device plugin DaemonSet runs on the nodes where the module is loaded.
            * **Least privilege**: loaders get only `CAP_SYS_MODULE`; the operator itself runs as non-root with a \
            read-only root filesystem, and its API permissions are listed and justified in docs/security.md.
            * **Observable**: the Module's status reports nodes targeted and available per kernel, build progress \
            and every configuration error; Prometheus metrics and alert rules are documented in docs/metrics.md.
            """;

    static final String ALM_EXAMPLES = """
            [
              {
                "apiVersion": "ooto.sigs.k8s.io/v1alpha1",
                "kind": "Module",
                "metadata": { "name": "module-sample" },
                "spec": {
                  "moduleLoader": {
                    "name": "loader",
                    "image": "overwritten-anyway",
                    "securityContext": { "capabilities": { "add": ["SYS_MODULE"] } }
                  },
                  "kernelMappings": [
                    {
                      "literal": "5.16.11-200.fc35.x86_64",
                      "containerImage": "quay.io/vendor/module-sample:fedora-5.16.11-200.fc35.x86_64"
                    },
                    {
                      "regexp": "^.+-gke$",
                      "containerImage": "quay.io/vendor/module-sample:${KERNEL_FULL_VERSION}"
                    }
                  ],
                  "selector": { "feature.node.kubernetes.io/cpu-cpuid.VMX": "true" }
                }
              }
            ]
            """;
}

package io.kmm.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.kmm.meta.Labels;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every {@code kmm.*} setting of the operator. */
@ConfigMapping(prefix = "kmm")
public interface KmmConfig {

    /**
     * Which node label carries the kernel version the Module controller selects nodes by. {@code kmm}: KMM's own
     * node labeller writes {@link Labels#KERNEL_VERSION}. {@code nfd}: Node Feature Discovery's
     * {@link Labels#NFD_KERNEL_VERSION} is used and KMM's node labeller does not run.
     */
    @WithDefault("kmm")
    KernelLabelSource kernelLabelSource();

    /**
     * While a rollout progresses, the least time between two writes of a Module's status whose only change is
     * progress (available counts); any other change is written at once (see StatusPacing). 0: every change at once.
     */
    @WithDefault("10s")
    Duration statusProgressInterval();

    /** In-cluster builds. */
    BuildSettings build();

    /** Image existence checks. */
    Registry registry();

    interface BuildSettings {
        /**
         * {@code auto}: OpenShift BuildConfigs when the cluster serves the build.openshift.io API, else Kaniko Jobs;
         * {@code kaniko}; {@code openshift}.
         */
        @WithDefault("auto")
        StrategyChoice strategy();

        /** The Kaniko executor image (pin it by digest in production). */
        @WithDefault("${RELATED_IMAGE_KANIKO:gcr.io/kaniko-project/executor:v1.23.2}")
        String kanikoImage();

        /** Retries of a failed Kaniko pod before the Job fails. */
        @WithDefault("0")
        int backoffLimit();

        /** The longest a build may run. */
        @WithDefault("1h")
        java.time.Duration activeDeadline();

        /** Kubernetes deletes finished build Jobs (failed ones too) this long after they finish; unset: never. */
        java.util.Optional<java.time.Duration> ttlAfterFinished();

        /** KMM deletes successful builds this long after they finish. Failed builds are kept for inspection. */
        @WithDefault("10m")
        java.time.Duration successfulBuildRetention();

        /**
         * The image the signing builds run {@code sign-file} in (see docs/builds.md#signing). Unset: Modules that
         * sign report {@code SigningNotConfigured}.
         */
        java.util.Optional<String> signImage();

        /** Requests and limits of the build (and signing) container. */
        Resources resources();

        /** Where {@code sign-file} is in the sign image. */
        @WithDefault("/usr/local/bin/sign-file")
        String signFile();

        /**
         * How often a Module that signs is reconciled to notice a changed key or certificate (the operator reads
         * Secrets by name and does not watch them).
         */
        @WithDefault("5m")
        java.time.Duration signingKeyRecheck();
    }

    interface Resources {
        @WithDefault("250m")
        String requestsCpu();

        @WithDefault("256Mi")
        String requestsMemory();

        /** Unset: no CPU limit. */
        java.util.Optional<String> limitsCpu();

        @WithDefault("4Gi")
        String limitsMemory();

        default io.fabric8.kubernetes.api.model.ResourceRequirements requirements() {
            var b = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                    .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity(requestsCpu()))
                    .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity(requestsMemory()))
                    .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity(limitsMemory()));
            limitsCpu().ifPresent(c -> b.addToLimits("cpu", new io.fabric8.kubernetes.api.model.Quantity(c)));
            return b.build();
        }
    }

    enum StrategyChoice {
        AUTO,
        KANIKO,
        OPENSHIFT
    }

    interface Registry {
        /** The longest one image-existence check may take. */
        @WithDefault("15s")
        java.time.Duration timeout();

        /** How long the answer of a check is reused. */
        @WithDefault("30s")
        java.time.Duration cacheTtl();

        /**
         * Whether registries at addresses of the operator's own machine (loopback) or link-local ones (cloud metadata
         * services) may be asked. A Module chooses the registry, so by default they are refused.
         */
        @WithDefault("false")
        boolean allowLocalAddresses();

        /** The optional in-cluster registry of {@code kubernetes/registry/}. */
        InCluster inCluster();
    }

    /**
     * The in-cluster registry: Modules name their images by its node address; the operator's checks and the Kaniko
     * pushes go to its service address instead.
     */
    interface InCluster {
        /** Off: images of the node address are checked and pushed there like any other. */
        @WithDefault("true")
        boolean enabled();

        /** How the nodes' container runtime pulls from it (the NodePort of kubernetes/registry/ on localhost). */
        @WithDefault("localhost:30500")
        String nodeAddress();

        /** How pods and the operator reach it (its Service). */
        @WithDefault("kmm-registry.kmm-registry.svc:5000")
        String serviceAddress();

        /** The service address serves plain HTTP (or TLS that cannot be verified), as the shipped component does. */
        @WithDefault("true")
        boolean insecure();
    }

    /** What Modules may do beyond loading a kernel module (docs/security.md#what-the-admin-controls). */
    Security security();

    interface Security {
        /**
         * The namespaces whose Modules the operator acts on (comma-separated), {@code *} for all. A Module elsewhere
         * gets no DaemonSet, build or label, and its status says why.
         */
        @WithDefault("*")
        java.util.List<String> allowedNamespaces();

        /**
         * Loaders (and device plugins) may run on control-plane nodes, and Modules may tolerate the control-plane
         * taints. Off: nodes labelled {@code node-role.kubernetes.io/control-plane} (or {@code master}) are never
         * targeted, whatever the selector.
         */
        @WithDefault("false")
        boolean controlPlaneNodes();

        /** Modules may tolerate every taint (a toleration without a key, {@code operator: Exists}). */
        @WithDefault("false")
        boolean broadTolerations();

        /**
         * Host directories a Module's {@code additionalVolumes} may mount besides the module and firmware directories,
         * e.g. {@code /etc/modprobe.d}, {@code /dev}, {@code /sys} (always read-only).
         */
        java.util.Optional<java.util.List<String>> extraHostPaths();

        default io.kmm.kernel.SecurityPolicy policy(InCluster registry) {
            return new io.kmm.kernel.SecurityPolicy(allowedNamespaces(), controlPlaneNodes(), broadTolerations(),
                    extraHostPaths().orElse(java.util.List.of()), registry.enabled() ? registry.nodeAddress() : null);
        }
    }

    /** Settings of {@code ./mvnw quarkus:dev}; ignored by the production build. */
    Dev dev();

    /** Leader election, so that only one replica reconciles (in the cluster, i.e. the prod profile, only). */
    LeaderElection leaderElection();

    interface LeaderElection {
        /** Off: every replica reconciles; run one replica only. */
        @WithDefault("true")
        boolean enabled();

        /** The Lease's name. */
        @WithDefault("kmm-operator-lock")
        String leaseName();

        /** The Lease's namespace; by default the operator's own (from its service account). */
        Optional<String> leaseNamespace();

        /**
         * How long a standby waits after the leader's last renewal before taking over: the fail-over time when the
         * leader's pod dies.
         */
        @WithDefault("137s")
        Duration leaseDuration();

        /**
         * How long the leader keeps trying to renew before it gives up and exits: an API outage shorter than this
         * does not restart the operator. Must be shorter than lease-duration.
         */
        @WithDefault("107s")
        Duration renewDeadline();

        /** Interval between attempts to acquire or renew the Lease. */
        @WithDefault("26s")
        Duration retryPeriod();
    }

    interface Dev {
        /**
         * {@code auto}: start an embedded API server when no cluster is configured or the configured one does not
         * answer; {@code on}: always; {@code off}: never.
         */
        @WithDefault("auto")
        EmbeddedApiServerMode embeddedApiServer();

        /**
         * The embedded API server's port on 127.0.0.1 (plain HTTP), the same on every start; when it is taken, a free
         * port is used instead and the log says so. {@code 0}: always a free port.
         */
        @WithDefault("6080")
        int embeddedApiServerPort();

        /**
         * When no cluster is configured: {@code auto} starts the local control plane of {@code dev/local-cluster}
         * if its binaries are built (else the embedded API server); {@code on}: start it, building the binaries
         * first if needed; {@code off}: never (the embedded API server instead).
         */
        @WithDefault("auto")
        EmbeddedApiServerMode localCluster();

        /** Environment for {@code dev/local-cluster} (e.g. {@code KMM_CLUSTER_STATE}, {@code KMM_APISERVER_PORT}). */
        Map<String, String> localClusterEnv();

        /**
         * Folder whose YAML manifests are applied to the dev cluster (local or embedded) at start, and again whenever
         * a file in it is added or changed while dev mode runs.
         */
        @WithDefault("dev/cluster")
        String manifestsDir();
    }

    enum EmbeddedApiServerMode {
        AUTO,
        ON,
        OFF
    }

    enum KernelLabelSource {
        KMM(Labels.KERNEL_VERSION),
        NFD(Labels.NFD_KERNEL_VERSION);

        private final String labelKey;

        KernelLabelSource(String labelKey) {
            this.labelKey = labelKey;
        }

        /** The node label key that holds the kernel version. */
        public String labelKey() {
            return labelKey;
        }

        /** Whether KMM's own node labeller runs. */
        public boolean nodeLabellerEnabled() {
            return this == KMM;
        }
    }
}

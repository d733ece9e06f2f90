package io.kmm.dev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kmm.config.KmmConfig;
import io.kmm.meta.Labels;
import io.kmm.module.SelectedNodes;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;

/**
 * Dev mode on a dev cluster: loads the manifests of {@code kmm.dev.manifests-dir} (example Nodes and Modules, and
 * whatever the user adds, then or while dev mode runs). On the local control plane, Nodes get kwok's annotation and the real controllers do the
 * rest; on the embedded API server, this plays the DaemonSet and Job controllers, which it does not run, so that
 * loader DaemonSets report their pods available and Modules can become Ready.
 */
@Singleton
@IfBuildProfile("dev")
public class DevCluster {

    private static final Logger LOG = Logger.getLogger(DevCluster.class);
    private static final String KWOK_NODE = "kwok.x-k8s.io/node";

    @Inject
    EmbeddedApiServer embedded;

    @Inject
    KubernetesClient client;

    @Inject
    KmmConfig config;

    @Inject
    io.kmm.registry.ImageChecks images;

    static final long WATCH_SETTLE_MILLIS = 300;

    private volatile WatchService watcher;
    private SharedIndexInformer<DaemonSet> daemonSets;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<io.fabric8.kubernetes.api.model.batch.v1.Job> jobs;
    /** The stand-in registry: images pushed by (simulated) builds. */
    private final Map<String, Map<String, String>> pushed = new java.util.concurrent.ConcurrentHashMap<>();

    // After the operator has started (and applied the CRD).
    void onStart(@Observes @Priority(5000) StartupEvent event) {
        boolean local = embedded.isLocalCluster();
        if (!embedded.isRunning() && !local) {
            return;
        }
        // No real registry is reachable: an image exists once a build here "pushed" it (on the local control plane
        // kwok completes the Kaniko pod and the real Job controller marks the Job Complete; on the embedded server
        // the build is simulated below).
        images.useChecker(new io.kmm.registry.ImageChecker() {
            @Override
            public io.kmm.registry.ImageCheck check(String image,
                    java.util.Optional<io.kmm.registry.RegistryCredentials> credentials, boolean insecure) {
                return checkWithLabels(image, credentials, insecure);
            }

            @Override
            public io.kmm.registry.ImageCheck checkWithLabels(String image,
                    java.util.Optional<io.kmm.registry.RegistryCredentials> credentials, boolean insecure) {
                Map<String, String> labels = pushed.get(image);
                return labels != null ? new io.kmm.registry.ImageCheck(io.kmm.registry.ImageCheck.Outcome.PRESENT,
                        "image " + image + " exists", labels)
                        : new io.kmm.registry.ImageCheck(io.kmm.registry.ImageCheck.Outcome.ABSENT, "image " + image
                                + " does not exist (dev cluster: only images built here exist)");
            }
        });
        loadManifests();
        jobs = client.batch().v1().jobs().inAnyNamespace()
                .withLabel(Labels.ROLE, Labels.ROLE_BUILD).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
                        onBuild(job, local);
                    }

                    @Override
                    public void onUpdate(io.fabric8.kubernetes.api.model.batch.v1.Job old,
                            io.fabric8.kubernetes.api.model.batch.v1.Job job) {
                        onBuild(job, local);
                    }

                    @Override
                    public void onDelete(io.fabric8.kubernetes.api.model.batch.v1.Job job, boolean unknown) {
                        // nothing to do
                    }
                });
        if (local) {
            return; // the real DaemonSet controller, scheduler and kwok run the loaders
        }
        // Device plugins select module-ready labels: when they change, their DaemonSets reach other nodes.
        nodes = client.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                // the DaemonSets' own events cover new nodes
            }

            @Override
            public void onUpdate(Node old, Node node) {
                if (daemonSets != null && !java.util.Objects.equals(old.getMetadata().getLabels(),
                        node.getMetadata().getLabels())) {
                    daemonSets.getStore().list().stream().filter(ds -> Labels.ROLE_DEVICE_PLUGIN
                            .equals(ds.getMetadata().getLabels().get(Labels.ROLE))).forEach(DevCluster.this::simulateRollout);
                }
            }

            @Override
            public void onDelete(Node node, boolean unknown) {
                // nothing to do
            }
        });
        daemonSets = client.apps().daemonSets().inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(DaemonSet ds) {
                        simulateRollout(ds);
                    }

                    @Override
                    public void onUpdate(DaemonSet old, DaemonSet ds) {
                        simulateRollout(ds);
                    }

                    @Override
                    public void onDelete(DaemonSet ds, boolean unknownFinalState) {
                        // the garbage collector would remove its pods
                        client.pods().inNamespace(ds.getMetadata().getNamespace())
                                .withLabels(ds.getSpec().getSelector().getMatchLabels()).delete();
                    }
                });
    }

    void loadManifests() {
        Path manifests = Path.of(config.dev().manifestsDir());
        if (!Files.isDirectory(manifests)) {
            LOG.infof("No %s folder: the dev cluster starts empty", manifests);
            return;
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(manifests)) {
            files = list.filter(DevCluster::isManifest).sorted().toList();
        } catch (IOException e) {
            LOG.warnf("Cannot read %s: %s", manifests, e.getMessage());
            return;
        }
        files.forEach(this::apply);
        watch(manifests);
    }

    private static boolean isManifest(Path p) {
        String name = p.getFileName().toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".");
    }

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /** Applies every object of one manifest file (create, or update what exists). */
    void apply(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            for (HasMetadata item : client.load(in).items()) {
                if (!(item instanceof Node) && item.getMetadata().getNamespace() == null) {
                    item.getMetadata().setNamespace("default");
                }
                if (item instanceof Node && embedded.isLocalCluster()) {
                    // kwok runs the nodes with this annotation: Ready, heartbeats, pods that "run"
                    if (item.getMetadata().getAnnotations() == null) {
                        item.getMetadata().setAnnotations(new java.util.LinkedHashMap<>());
                    }
                    item.getMetadata().getAnnotations().putIfAbsent(KWOK_NODE, "fake");
                }
                // as kubectl apply records it, so that a later kubectl apply of the same object (the README's
                // example) patches it without a warning about a missing annotation
                if (item.getMetadata().getAnnotations() == null) {
                    item.getMetadata().setAnnotations(new java.util.LinkedHashMap<>());
                }
                item.getMetadata().getAnnotations().remove(LAST_APPLIED);
                item.getMetadata().getAnnotations().put(LAST_APPLIED,
                        client.getKubernetesSerialization().asJson(item));
                client.resource(item).createOr(NonDeletingOperation::update);
                LOG.infof("Dev cluster: applied %s %s from %s", item.getKind(), item.getMetadata().getName(),
                        file.getFileName());
            }
        } catch (IOException | KubernetesClientException | IllegalArgumentException e) {
            LOG.warnf("Dev cluster: could not apply %s: %s", file, e.getMessage());
        }
    }

    /**
     * Applies a manifest again whenever it is added to or changed in the folder, so that a user without an
     * interactive console (or kubectl, on the embedded server) can change the dev cluster while dev mode runs.
     */
    private void watch(Path folder) {
        try {
            watcher = folder.getFileSystem().newWatchService();
            folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            LOG.warnf("Dev cluster: changes to %s are not watched: %s", folder, e.getMessage());
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    WatchKey key = watcher.take();
                    Thread.sleep(WATCH_SETTLE_MILLIS); // an editor saves in several steps: apply once, when settled
                    java.util.Set<Path> changed = new java.util.TreeSet<>();
                    do {
                        for (WatchEvent<?> event : key.pollEvents()) {
                            if (event.context() instanceof Path name) {
                                changed.add(folder.resolve(name));
                            }
                        }
                        key.reset();
                    } while ((key = watcher.poll()) != null);
                    changed.stream().filter(DevCluster::isManifest).filter(Files::isRegularFile).forEach(file -> {
                        LOG.infof("Dev cluster: %s changed", file);
                        apply(file);
                    });
                }
            } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                // dev mode stops or restarts
            }
        }, "kmm-dev-manifests-watcher");
        thread.setDaemon(true);
        thread.start();
        LOG.infof("Dev cluster: files added to or changed in %s are applied while dev mode runs", folder);
    }

    /**
     * What the DaemonSet controller and kubelets would report: one available pod per node the DaemonSet selects; for
     * loaders also the pods themselves, Ready, so that the module-ready labeller labels their nodes (and device
     * plugins, which select those labels, follow).
     */
    void simulateRollout(DaemonSet ds) {
        var pod = ds.getSpec().getTemplate().getSpec();
        List<Node> nodes = client.nodes().list().getItems().stream()
                .filter(n -> SelectedNodes.matches(pod.getNodeSelector(), n.getMetadata().getLabels()))
                .filter(n -> affinityAllows(pod.getAffinity(), n.getMetadata().getLabels())).toList();
        int pods = nodes.size();
        if (Labels.ROLE_MODULE_LOADER.equals(ds.getMetadata().getLabels().get(Labels.ROLE))) {
            simulatePods(ds, nodes);
        }
        Long generation = ds.getMetadata().getGeneration();
        var status = ds.getStatus();
        if (status != null && Integer.valueOf(pods).equals(status.getNumberAvailable())
                && Integer.valueOf(pods).equals(status.getUpdatedNumberScheduled())
                && java.util.Objects.equals(generation, status.getObservedGeneration())) {
            return;
        }
        ds.setStatus(new DaemonSetStatusBuilder().withObservedGeneration(generation).withDesiredNumberScheduled(pods)
                .withCurrentNumberScheduled(pods).withNumberReady(pods).withNumberAvailable(pods)
                .withUpdatedNumberScheduled(pods).withNumberMisscheduled(0).build());
        try {
            client.resource(ds).updateStatus();
        } catch (KubernetesClientException e) {
            LOG.debugf("simulated DaemonSet status for %s not written: %s", ds.getMetadata().getName(), e.getMessage());
        }
    }

    /** One Ready pod of the loader DaemonSet per node it selects, as the kubelet would run them. */
    private void simulatePods(DaemonSet ds, List<Node> nodes) {
        String namespace = ds.getMetadata().getNamespace();
        var existing = client.pods().inNamespace(namespace).withLabels(ds.getSpec().getSelector().getMatchLabels())
                .list().getItems();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (Node node : nodes) {
            String name = ds.getMetadata().getName() + "-" + node.getMetadata().getName();
            wanted.add(name);
            if (existing.stream().noneMatch(p -> p.getMetadata().getName().equals(name))) {
                try {
                    client.pods().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                            .withNewMetadata().withName(name).withNamespace(namespace)
                            .withLabels(ds.getSpec().getTemplate().getMetadata().getLabels())
                            // controlled by its DaemonSet, as the DaemonSet controller makes them
                            .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                            .withName(ds.getMetadata().getName()).withUid(ds.getMetadata().getUid())
                            .withController(true).withBlockOwnerDeletion(true).endOwnerReference()
                            .endMetadata()
                            .withNewSpec().withNodeName(node.getMetadata().getName())
                            .withContainers(ds.getSpec().getTemplate().getSpec().getContainers()).endSpec()
                            .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                            .endStatus().build()).create();
                } catch (KubernetesClientException e) {
                    LOG.debugf("simulated pod %s not created: %s", name, e.getMessage());
                }
            }
        }
        existing.stream().filter(p -> !wanted.contains(p.getMetadata().getName()))
                .forEach(p -> client.resource(p).delete());
    }

    private void onBuild(io.fabric8.kubernetes.api.model.batch.v1.Job job, boolean local) {
        if (!local) {
            simulateBuild(job);
        } else if (job.getStatus() != null && job.getStatus().getSucceeded() != null
                && job.getStatus().getSucceeded() > 0) {
            push(job);
        }
    }

    /** What the build pushed: its destination, with the signing label when it signs. */
    private void push(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
        Map<String, String> labels = io.kmm.build.BuildObjects.step(job) == io.kmm.build.BuildStep.SIGN
                ? Map.of(Labels.SIGN_INPUTS, io.kmm.build.BuildObjects.annotation(job, Labels.BUILD_INPUTS_ANNOTATION))
                : Map.of();
        destinations(job).forEach(image -> pushed.put(image, labels));
    }

    private static Stream<String> destinations(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()
                .filter(a -> a.startsWith("--destination=")).map(a -> a.substring(14));
    }

    /** What the Job controller and Kaniko would do: the build succeeds and its image is pushed. */
    void simulateBuild(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
        if (job.getStatus() != null && job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0) {
            return;
        }
        push(job);
        String now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withSucceeded(1)
                .withStartTime(now).withCompletionTime(now).addNewCondition().withType("Complete").withStatus("True")
                .withLastTransitionTime(now).endCondition().build());
        try {
            client.resource(job).updateStatus();
            LOG.infof("Embedded API server: build Job %s/%s succeeded (simulated)", job.getMetadata().getNamespace(),
                    job.getMetadata().getName());
        } catch (KubernetesClientException e) {
            LOG.debugf("simulated Job status for %s not written: %s", job.getMetadata().getName(), e.getMessage());
        }
    }

    /** The subset of required node affinity KMM uses: {@code In} expressions, all of one term. */
    static boolean affinityAllows(io.fabric8.kubernetes.api.model.Affinity affinity, Map<String, String> labels) {
        if (affinity == null || affinity.getNodeAffinity() == null
                || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        return affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
                .stream().anyMatch(term -> term.getMatchExpressions().stream().allMatch(e -> {
                    String value = labels == null ? null : labels.get(e.getKey());
                    return switch (e.getOperator()) {
                        case "In" -> value != null && e.getValues().contains(value);
                        case "NotIn" -> value == null || !e.getValues().contains(value);
                        case "Exists" -> value != null;
                        case "DoesNotExist" -> value == null;
                        default -> false;
                    };
                }));
    }

    void onStop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        if (daemonSets != null) {
            daemonSets.close();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debugf("closing the manifests watcher: %s", e.getMessage());
            }
        }
    }
}

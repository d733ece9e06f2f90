package io.kmm.preflight;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.kmm.api.v1alpha1.Module;
import io.kmm.api.v1alpha1.PreflightModuleStatus;
import io.kmm.api.v1alpha1.PreflightValidation;
import io.kmm.api.v1alpha1.PreflightValidationStatus;
import io.kmm.build.BuildRequest;
import io.kmm.build.BuildState;
import io.kmm.build.BuildStrategy;
import io.kmm.config.KmmConfig;
import io.kmm.kernel.KernelResolution;
import io.kmm.kernel.SecurityPolicy;
import io.kmm.module.Action;
import io.kmm.module.ImageFacts;
import io.kmm.module.ModuleEvents;
import io.kmm.module.ModulePlan;
import io.kmm.module.ModulePlanner;
import io.kmm.module.Observed;
import io.kmm.module.SelectedNodes;
import io.kmm.node.SharedModules;
import io.kmm.registry.ImageCheck;
import io.kmm.registry.ImageChecks;
import io.kmm.status.Conditions;
import io.kmm.status.PreflightChecked;
import io.kmm.status.Reason;

/**
 * Reconciles a PreflightValidation: for every Module and every kernel it names, the Module reconcile's own path as if
 * nodes ran the kernel (resolve → {@link ImageFacts} → {@link ModulePlanner#plan}), judged by
 * {@link PreflightVerdicts}. Only builds are ever carried out (labelled and owned as the preflight's); no loader,
 * DaemonSet or node is touched. A verdict that is settled (Success or Failure) for a Module's generation is kept
 * until the Module or the PreflightValidation changes; while one is in progress, the preflight looks again every
 * {@value #LOOK_AGAIN_SECONDS} s (its builds are read from the Module controller's cache, not watched again).
 */
@ControllerConfiguration(name = PreflightReconciler.NAME)
public class PreflightReconciler implements Reconciler<PreflightValidation> {

    public static final String NAME = "preflight";
    public static final String PASSED = "Passed";
    static final int LOOK_AGAIN_SECONDS = 10;
    /** The status lists this many Module and kernel pairs at most, failures first, so it always fits. */
    static final int MAX_LISTED = 500;
    private static final Logger LOG = Logger.getLogger(PreflightReconciler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    KmmConfig config;

    @Inject
    SharedModules modules;

    @Inject
    ImageFacts imageFacts;

    @Inject
    ImageChecks images;

    @Inject
    BuildStrategy strategy;

    @Inject
    ModuleEvents events;

    @Inject
    Event<PreflightChecked> checked;

    @Override
    public List<EventSource<?, PreflightValidation>> prepareEventSources(
            EventSourceContext<PreflightValidation> context) {
        return List.of(new ModuleChanges(modules, context.getPrimaryCache(),
                context.getControllerConfiguration().getConfigurationService().cacheSyncTimeout()));
    }

    @Override
    public UpdateControl<PreflightValidation> reconcile(PreflightValidation preflight,
            Context<PreflightValidation> context) {
        Instant now = Instant.now();
        KubernetesClient client = context.getClient();
        List<String> kernels = preflight.getSpec() == null ? List.of() : preflight.getSpec().kernels();
        boolean push = preflight.getSpec() != null && preflight.getSpec().push();
        Long generation = preflight.getMetadata().getGeneration();
        PreflightValidationStatus previous = preflight.getStatus();
        Map<String, PreflightModuleStatus> settled = new LinkedHashMap<>();
        if (previous != null && previous.getModules() != null && java.util.Objects.equals(generation,
                previous.getObservedGeneration())) {
            previous.getModules().stream().filter(m -> !PreflightModuleStatus.IN_PROGRESS.equals(m.getVerdict()))
                    .forEach(m -> settled.put(key(m.getNamespace(), m.getName(), m.getKernel()), m));
        }
        SecurityPolicy policy = config.security().policy(config.registry().inCluster());
        BuildRequest.Preflight by = new BuildRequest.Preflight(preflight.getMetadata().getName(),
                preflight.getMetadata().getUid(), push);
        List<PreflightModuleStatus> entries = new ArrayList<>();
        List<Module> all = modules.list(m -> m.getSpec() != null)
                .sorted(Comparator.comparing((Module m) -> m.getMetadata().getNamespace())
                        .thenComparing(m -> m.getMetadata().getName())).toList();
        for (Module module : all) {
            List<String> open = new ArrayList<>();
            for (String kernel : kernels) {
                PreflightModuleStatus kept = settled.get(key(module.getMetadata().getNamespace(),
                        module.getMetadata().getName(), kernel));
                if (kept != null && java.util.Objects.equals(kept.getModuleGeneration(),
                        module.getMetadata().getGeneration())) {
                    entries.add(kept); // settled for this Module's generation: not asked again
                } else {
                    open.add(kernel);
                }
            }
            if (!open.isEmpty()) {
                entries.addAll(check(module, open, by, policy, now, client));
            }
        }
        PreflightValidationStatus status = status(preflight, entries, now);
        boolean inProgress = status.getInProgress() > 0;
        checked.fire(new PreflightChecked(preflight.getMetadata().getName(), status.getSuccess(),
                status.getFailure(), status.getInProgress(), context.getPrimaryCache().list()
                        .map(p -> p.getMetadata().getName()).collect(Collectors.toSet())));
        if (!status.equals(previous)) {
            writeStatus(client, preflight, status);
            announce(preflight, previous, status);
        }
        UpdateControl<PreflightValidation> control = UpdateControl.noUpdate();
        if (inProgress) {
            control.rescheduleAfter(Duration.ofSeconds(LOOK_AGAIN_SECONDS));
        }
        return control;
    }

    /** One Module against the kernels not settled yet: its own plan for them, judged, and the builds carried out. */
    private List<PreflightModuleStatus> check(Module module, List<String> kernels, BuildRequest.Preflight by,
            SecurityPolicy policy, Instant now, KubernetesClient client) {
        Map<String, Integer> noNodes = new TreeMap<>();
        kernels.forEach(k -> noNodes.put(k, 0));
        SelectedNodes selected = new SelectedNodes(noNodes, 0);
        ModulePlanner.Resolution resolution = ModulePlanner.resolve(module, selected, policy);
        List<BuildState> builds = strategy.preflightBuilds(by.uid(), module, client);
        ImageFacts.Found found = imageFacts.of(module, resolution, Map.of(), builds, r -> r.forPreflight(by));
        ModulePlan plan = ModulePlanner.plan(new Observed(module, selected, Map.of(), builds), resolution,
                found.builds(), found.signs(), new ModulePlanner.Settings(config.kernelLabelSource().labelKey(),
                        strategy.objectKind(), config.build().successfulBuildRetention(), now, policy));
        Map<String, ImageCheck> plain = new LinkedHashMap<>();
        for (KernelResolution r : resolution.kernels().values()) {
            if (r instanceof KernelResolution.Resolved kernel && kernel.build() == null && kernel.sign() == null) {
                var secret = module.getSpec().getImageRepoSecret();
                plain.put(kernel.kernel(), images.check(module.getMetadata().getNamespace(), kernel.image(),
                        secret == null ? null : secret.getName(), false));
            }
        }
        List<PreflightModuleStatus> out = new ArrayList<>();
        for (PreflightVerdicts.Verdict verdict : PreflightVerdicts.of(module, kernels, plan, found, plain,
                by.push(), strategy.objectKind())) {
            out.add(carryOut(module, verdict, client));
        }
        return out;
    }

    /** The verdict's builds: started or deleted; a refused start is the verdict's failure. */
    private PreflightModuleStatus carryOut(Module module, PreflightVerdicts.Verdict verdict, KubernetesClient client) {
        PreflightModuleStatus status = verdict.status();
        for (Action action : verdict.actions()) {
            try {
                if (action instanceof Action.StartBuild start) {
                    strategy.start(start.request(), client);
                    LOG.infof("preflight: started %s for %s/%s on kernel %s", start.request().objectName(),
                            module.getMetadata().getNamespace(), module.getMetadata().getName(), status.getKernel());
                } else if (action instanceof Action.DeleteBuild delete) {
                    strategy.delete(module.getMetadata().getNamespace(), delete.name(), client);
                }
            } catch (KubernetesClientException e) {
                String answer = e.getStatus() != null && e.getStatus().getMessage() != null
                        ? e.getStatus().getMessage() : e.getMessage();
                status = new PreflightModuleStatus(status.getNamespace(), status.getName(), status.getKernel(),
                        e.getCode() >= 400 && e.getCode() < 500 ? PreflightModuleStatus.FAILURE
                                : PreflightModuleStatus.IN_PROGRESS,
                        Reason.BUILD_REFUSED.toString(), "the API server refused the build: " + answer,
                        status.getImage(), status.getBuild(), status.getModuleGeneration());
            }
        }
        return status;
    }

    static String key(String namespace, String name, String kernel) {
        return namespace + "/" + name + "/" + kernel;
    }

    /** The status: counts, the Passed condition, and the entries (failures first, then in progress, then success). */
    static PreflightValidationStatus status(PreflightValidation preflight, List<PreflightModuleStatus> entries,
            Instant now) {
        PreflightValidationStatus previous = preflight.getStatus();
        PreflightValidationStatus status = new PreflightValidationStatus();
        status.setObservedGeneration(preflight.getMetadata().getGeneration());
        int success = count(entries, PreflightModuleStatus.SUCCESS);
        int failure = count(entries, PreflightModuleStatus.FAILURE);
        int inProgress = count(entries, PreflightModuleStatus.IN_PROGRESS);
        status.setSuccess(success);
        status.setFailure(failure);
        status.setInProgress(inProgress);
        List<PreflightModuleStatus> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt((PreflightModuleStatus m) -> switch (m.getVerdict()) {
            case PreflightModuleStatus.FAILURE -> 0;
            case PreflightModuleStatus.IN_PROGRESS -> 1;
            default -> 2;
        }));
        status.setModules(new ArrayList<>(sorted.subList(0, Math.min(MAX_LISTED, sorted.size()))));
        status.setModulesNotListed(sorted.size() > MAX_LISTED ? sorted.size() - MAX_LISTED : null);
        String kernels = preflight.getSpec() == null ? "" : String.join(", ", preflight.getSpec().kernels());
        String text;
        Reason reason;
        String message;
        if (kernels.isEmpty()) {
            text = "False";
            reason = Reason.PREFLIGHT_FAILED;
            message = "name a kernel: spec.kernelVersion or spec.kernelVersions";
        } else if (inProgress > 0) {
            text = "Unknown";
            reason = Reason.PREFLIGHT_IN_PROGRESS;
            message = inProgress + " of " + entries.size() + " Module and kernel checks are in progress";
        } else if (failure > 0) {
            PreflightModuleStatus first = sorted.get(0);
            text = "False";
            reason = Reason.PREFLIGHT_FAILED;
            message = failure + " of " + entries.size() + " Module and kernel checks failed; the first: "
                    + first.getNamespace() + "/" + first.getName() + " on " + first.getKernel() + ": "
                    + first.getReason() + ": " + first.getMessage();
        } else {
            text = "True";
            reason = Reason.PREFLIGHT_PASSED;
            message = entries.isEmpty() ? "there is no Module to check"
                    : "every Module (" + entries.size() + " Module and kernel checks) will load on " + kernels;
        }
        if (message.length() > 2048) {
            message = message.substring(0, 2045) + "...";
        }
        status.setConditions(new ArrayList<>(List.of(Conditions.of(PASSED, text, reason.toString(), message,
                preflight.getMetadata().getGeneration(), previous == null ? null : previous.getConditions(), now))));
        return status;
    }

    private static int count(List<PreflightModuleStatus> entries, String verdict) {
        return (int) entries.stream().filter(m -> verdict.equals(m.getVerdict())).count();
    }

    /** An event when the answer settles or changes (not for every count while in progress). */
    private void announce(PreflightValidation preflight, PreflightValidationStatus previous,
            PreflightValidationStatus status) {
        var now = Conditions.find(status.getConditions(), PASSED).orElseThrow();
        var before = previous == null ? null : Conditions.find(previous.getConditions(), PASSED).orElse(null);
        if (before != null && before.getStatus().equals(now.getStatus()) && before.getMessage() != null
                && before.getReason().equals(now.getReason())) {
            return;
        }
        if ("Unknown".equals(now.getStatus())) {
            return;
        }
        Reason reason = Reason.of(now.getReason());
        events.preflight(preflight, reason == Reason.PREFLIGHT_FAILED, reason, now.getMessage());
    }

    private static void writeStatus(KubernetesClient client, PreflightValidation preflight,
            PreflightValidationStatus status) {
        PreflightValidation copy = new PreflightValidation();
        copy.setMetadata(MAPPER.convertValue(preflight.getMetadata(), ObjectMeta.class));
        copy.setSpec(preflight.getSpec());
        copy.setStatus(status);
        client.resource(copy).updateStatus();
    }
}

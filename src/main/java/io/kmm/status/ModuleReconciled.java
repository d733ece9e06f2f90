package io.kmm.status;

import io.kmm.api.v1alpha1.ModuleStatus;

/**
 * Fired (as a CDI event) after every Module reconcile with the status it computed. The Module metrics (KmmMetrics) and
 * the dev-mode summary table observe it.
 */
public record ModuleReconciled(String namespace, String name, ModuleStatus status) {
}

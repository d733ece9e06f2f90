package io.kmm.status;

/**
 * Fired (as a CDI event) when a Module is gone from the operator's cache: what the operator kept about it (failure
 * counters, metrics) is forgotten.
 */
public record ModuleDeleted(String namespace, String name) {
}

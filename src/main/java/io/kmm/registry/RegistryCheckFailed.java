package io.kmm.registry;

/** Fired (as a CDI event) when a registry check fails; KmmMetrics counts them by outcome. */
public record RegistryCheckFailed(ImageCheck.Outcome outcome) {
}

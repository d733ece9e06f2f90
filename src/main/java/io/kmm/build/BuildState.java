package io.kmm.build;

import java.time.Instant;

/**
 * An existing build object, as the build strategy sees it.
 *
 * @param name the Job or Build name
 * @param kernel the exact kernel it builds for
 * @param inputsHash the inputs it was created from
 * @param phase where it is
 * @param finishedAt when it finished, or null
 * @param message why it failed, when the build system says
 * @param step what it does: build, or sign
 */
public record BuildState(String name, String kernel, String inputsHash, BuildPhase phase, Instant finishedAt,
        String message, BuildStep step) {

    public BuildState(String name, String kernel, String inputsHash, BuildPhase phase, Instant finishedAt,
            String message) {
        this(name, kernel, inputsHash, phase, finishedAt, message, BuildStep.BUILD);
    }
}

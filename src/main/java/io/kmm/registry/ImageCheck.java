package io.kmm.registry;

/**
 * The answer to "does this image exist in its registry?".
 *
 * @param outcome what the registry said
 * @param message for the user, naming the image and the registry, never a credential
 * @param labels the image's labels (its configuration's), when they were asked for and the image exists; else null
 */
public record ImageCheck(Outcome outcome, String message, java.util.Map<String, String> labels) {

    public ImageCheck(Outcome outcome, String message) {
        this(outcome, message, null);
    }

    public enum Outcome {
        /** The tag (or digest) exists. */
        PRESENT,
        /** The registry answered: no such tag, or no such repository. A build may make it. */
        ABSENT,
        /** The registry refused the credentials (or asked for some and there were none). */
        UNAUTHORIZED,
        /** The registry could not be reached or answered with an error. */
        UNREACHABLE,
        /** The image reference cannot be parsed. */
        INVALID_REFERENCE
    }

    public boolean isPresent() {
        return outcome == Outcome.PRESENT;
    }

    /** Failures that say nothing about the image: retried with backoff, never a reason to build. */
    public boolean isFailure() {
        return outcome == Outcome.UNAUTHORIZED || outcome == Outcome.UNREACHABLE || outcome == Outcome.INVALID_REFERENCE;
    }
}

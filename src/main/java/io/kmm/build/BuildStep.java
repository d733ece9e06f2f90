package io.kmm.build;

/** What a build object does: build the image, or sign the modules of an image. */
public enum BuildStep {
    /** Builds the ModuleLoader image (or, when it is signed afterwards, the unsigned image). */
    BUILD("build"),
    /** Signs the listed files of the unsigned image and pushes the signed ModuleLoader image. */
    SIGN("sign");

    private final String value;

    BuildStep(String value) {
        this.value = value;
    }

    /** As in the {@code ooto.sigs.k8s.io/build-step} annotation and in messages. */
    public String value() {
        return value;
    }

    /** The step an annotation value names; a build object without one builds. */
    public static BuildStep of(String annotation) {
        return SIGN.value.equals(annotation) ? SIGN : BUILD;
    }
}

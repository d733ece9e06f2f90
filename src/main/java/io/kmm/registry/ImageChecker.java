package io.kmm.registry;

import java.util.Optional;

/** Answers whether an image exists in its registry. */
@FunctionalInterface
public interface ImageChecker {

    ImageCheck check(String image, Optional<RegistryCredentials> credentials, boolean insecure);

    /** The same, with the image's labels when it exists (a checker that cannot read them answers without). */
    default ImageCheck checkWithLabels(String image, Optional<RegistryCredentials> credentials, boolean insecure) {
        return check(image, credentials, insecure);
    }
}

package io.kmm.registry;

import java.util.Optional;

/** Answers whether an image exists in its registry. */
@FunctionalInterface
public interface ImageChecker {

    ImageCheck check(String image, Optional<RegistryCredentials> credentials, boolean insecure);
}

package io.kmm.kernel;

import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;

/** Reading image references, as container runtimes do. */
public final class ImageReferences {

    private ImageReferences() {
    }

    public static boolean isValid(String image) {
        try {
            ImageReference.parse(image);
            return true;
        } catch (InvalidImageReferenceException e) {
            return false;
        }
    }

    /** Whether the reference names a tag or a digest (an invalid reference counts as having one: it is an error). */
    public static boolean hasTagOrDigest(String image) {
        try {
            ImageReference ref = ImageReference.parse(image);
            return !ref.usesDefaultTag() || ref.getDigest().isPresent();
        } catch (InvalidImageReferenceException e) {
            return true;
        }
    }

    /** Whether a valid reference names a tag and no digest (what a build can push to). */
    public static boolean hasTag(String image) {
        try {
            ImageReference ref = ImageReference.parse(image);
            return ref.getDigest().isEmpty();
        } catch (InvalidImageReferenceException e) {
            return false;
        }
    }
}

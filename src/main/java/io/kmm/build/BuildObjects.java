package io.kmm.build;

import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kmm.api.v1alpha1.Module;
import io.kmm.meta.LabelValues;
import io.kmm.meta.Labels;

/** Recognising build objects (Jobs or Builds), whatever the strategy. */
public final class BuildObjects {

    private BuildObjects() {
    }

    /**
     * Whether a build object was made for this Module (and says for which kernel): it carries the Module's label and
     * the Module owns it (by uid), so that a Job anyone created with the same labels is never taken for a build.
     */
    public static boolean belongsTo(HasMetadata object, Module module) {
        Map<String, String> labels = object.getMetadata().getLabels();
        var owners = object.getMetadata().getOwnerReferences();
        return labels != null && LabelValues.normalise(module.getMetadata().getName())
                .equals(labels.get(Labels.MODULE_NAME)) && kernel(object) != null && owners != null
                && owners.stream().anyMatch(o -> java.util.Objects.equals(o.getUid(), module.getMetadata().getUid()));
    }

    /**
     * Whether a build object was made for this Module by the PreflightValidation of this uid (it owns it, and the
     * object is in the Module's namespace, carries its label and names a kernel).
     */
    public static boolean ownedBy(HasMetadata object, String uid, Module module) {
        var owners = object.getMetadata().getOwnerReferences();
        Map<String, String> labels = object.getMetadata().getLabels();
        return uid != null && kernel(object) != null && owners != null && labels != null
                && java.util.Objects.equals(module.getMetadata().getNamespace(), object.getMetadata().getNamespace())
                && LabelValues.normalise(module.getMetadata().getName()).equals(labels.get(Labels.MODULE_NAME))
                && owners.stream().anyMatch(o -> uid.equals(o.getUid()));
    }

    /** The exact kernel a build object builds for. */
    public static String kernel(HasMetadata object) {
        return annotation(object, Labels.KERNEL_VERSION_ANNOTATION);
    }

    /** What the build object does (build objects of earlier versions have no step annotation: they build). */
    public static BuildStep step(HasMetadata object) {
        return BuildStep.of(annotation(object, Labels.BUILD_STEP_ANNOTATION));
    }

    /** An annotation of the object, or null. */
    public static String annotation(HasMetadata object, String key) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}

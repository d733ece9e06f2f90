package io.kmm.meta;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.kmm.api.v1alpha1.Module;

/** Owner references: everything KMM creates for a Module is owned by it, so deleting the Module deletes it. */
public final class Owners {

    private Owners() {
    }

    /**
     * The Module as controller owner. blockOwnerDeletion is left unset: setting it needs update rights on
     * modules/finalizers, which the operator does not have.
     */
    public static OwnerReference of(Module module) {
        return of(module.getMetadata().getName(), module.getMetadata().getUid());
    }

    public static OwnerReference of(String moduleName, String moduleUid) {
        return new OwnerReferenceBuilder().withApiVersion(Module.API_VERSION).withKind(Module.KIND)
                .withName(moduleName).withUid(moduleUid).withController(true).build();
    }

    /** A PreflightValidation (cluster-scoped) as controller owner of the builds it asked for. */
    public static OwnerReference ofPreflight(String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion(Module.API_VERSION)
                .withKind(io.kmm.api.v1alpha1.PreflightValidation.KIND).withName(name).withUid(uid)
                .withController(true).build();
    }
}

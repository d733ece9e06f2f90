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
}

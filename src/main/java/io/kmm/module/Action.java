package io.kmm.module;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kmm.build.BuildRequest;

/** One write a reconcile decided on; {@link ModuleActions} carries it out. */
public sealed interface Action {

    /** A loader or device-plugin DaemonSet that does not exist yet. */
    record CreateDaemonSet(DaemonSet desired) implements Action {
    }

    /** An existing DaemonSet and what it should become. */
    record UpdateDaemonSet(DaemonSet desired, DaemonSet actual) implements Action {
    }

    /** A DaemonSet no selected node needs any more. */
    record DeleteDaemonSet(DaemonSet actual) implements Action {
    }

    /** A build of a kernel's image that is missing. */
    record StartBuild(BuildRequest request) implements Action {
    }

    /**
     * A build object that is not needed any more.
     *
     * @param why for the log: stale inputs, or a successful build past its retention
     */
    record DeleteBuild(String kernel, String name, String why) implements Action {
    }
}

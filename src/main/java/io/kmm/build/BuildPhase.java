package io.kmm.build;

/** The phase of an in-cluster build, whatever system runs it. */
public enum BuildPhase {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }

    /** As shown in status: Pending, Running, Succeeded, Failed. */
    public String display() {
        return name().charAt(0) + name().substring(1).toLowerCase();
    }
}

package io.kmm.build.kaniko;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.kmm.build.BuildPhase;

/** A build Job's phase as the Job controller moves it along: never back to Pending once its pod ran. */
class KanikoJobStateTest {

    private static Job job(JobStatus status) {
        return new JobBuilder().withNewMetadata().withName("b").withNamespace("ns").endMetadata().withStatus(status)
                .build();
    }

    @Test
    void aJobGoesPendingRunningSucceededWithoutGoingBack() {
        assertThat(KanikoBuildStrategy.state(job(null)).phase()).isEqualTo(BuildPhase.PENDING);
        assertThat(KanikoBuildStrategy.state(job(new JobStatusBuilder().withStartTime("2026-12-05T00:00:00Z")
                .build())).phase()).isEqualTo(BuildPhase.PENDING);
        assertThat(KanikoBuildStrategy.state(job(new JobStatusBuilder().withActive(1).build())).phase())
                .isEqualTo(BuildPhase.RUNNING);
        // the pod succeeded, the Job controller has not counted it yet
        assertThat(KanikoBuildStrategy.state(job(new JobStatusBuilder().withActive(0).withNewUncountedTerminatedPods()
                .withSucceeded(List.of("uid-1")).endUncountedTerminatedPods().build())).phase())
                .isEqualTo(BuildPhase.RUNNING);
        assertThat(KanikoBuildStrategy.state(job(new JobStatusBuilder().withActive(0).withTerminating(1).build()))
                .phase()).isEqualTo(BuildPhase.RUNNING);
        assertThat(KanikoBuildStrategy.state(job(new JobStatusBuilder().withSucceeded(1)
                .withCompletionTime("2026-12-05T00:01:00Z").build())).phase()).isEqualTo(BuildPhase.SUCCEEDED);
    }
}

package io.kmm.build.kaniko;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The failing step and its errors, from the end of a Kaniko log as the kubelet keeps it. */
class KanikoFailureTest {

    private static final String E = "\u001B";

    /** The shape of a real failure (RealBuildIT prints one): Kaniko's colour log, gcc's and make's output. */
    static final String COMPILE_ERROR = String.join("\n",
            E + "[36mINFO" + E + "[0m[0006] Taking snapshot of full filesystem...",
            E + "[36mINFO" + E + "[0m[0007] RUN make -C /lib/modules/${HEADERS}/build M=/src modules",
            E + "[36mINFO" + E + "[0m[0007] Cmd: /bin/sh",
            "make: Entering directory '/usr/src/linux-headers-6.1.0-57-amd64'",
            "  CC [M]  /src/kmm_hello.o",
            "/src/kmm_hello.c:3:1: error: unknown type name 'not_a_type'",
            "    3 | not_a_type x;",
            "make[2]: *** [/usr/src/linux-headers-6.1.0-57-common/scripts/Makefile.build:250: /src/kmm_hello.o] Error 1",
            "make[1]: *** [/usr/src/linux-headers-6.1.0-57-common/Makefile:2012: /src] Error 2",
            "make: *** [/usr/src/linux-headers-6.1.0-57-common/Makefile:238: __sub-make] Error 2",
            "make: Leaving directory '/usr/src/linux-headers-6.1.0-57-amd64'",
            "error building image: error building stage: failed to execute command: waiting for process to exit: "
                    + "exit status 2");

    @Test
    void theStepTheFirstErrorsAndKanikosWords() {
        String s = KanikoFailure.summary(COMPILE_ERROR);
        assertThat(s).startsWith("step 'RUN make -C /lib/modules/${HEADERS}/build M=/src modules' failed: "
                + "/src/kmm_hello.c:3:1: error: unknown type name 'not_a_type'; kaniko: ")
                .endsWith("; kaniko: error building image: error building stage: failed to execute command: waiting "
                        + "for process to exit: exit status 2")
                .doesNotContain(E).doesNotContain("make[2]"); // the compiler said it
    }

    @Test
    void errorsBeforeTheLastStepAreNotItsErrors() {
        String log = "INFO[0001] RUN true\nsomething: error: from an earlier step\nINFO[0002] RUN false\n"
                + "error building image: exit status 1";
        assertThat(KanikoFailure.summary(log)).isEqualTo("step 'RUN false' failed; kaniko: error building image: "
                + "exit status 1");
    }

    @Test
    void makesWordsWhenNothingElseSaysWhy() {
        String log = "INFO[0001] RUN make -C /nowhere\nmake: *** /nowhere: No such file or directory.  Stop.\n"
                + "error building image: exit status 2";
        assertThat(KanikoFailure.summary(log)).contains("failed: make: *** /nowhere: No such file");
        log = "INFO[0001] RUN make\nmake[1]: *** [Makefile:3: all] Error 1\nmake: *** [x] Error 2\n";
        assertThat(KanikoFailure.summary(log)).isEqualTo("step 'RUN make' failed: make[1]: *** [Makefile:3: all] Error 1");
    }

    @Test
    void refusedPushRights() {
        String log = "error checking push permissions -- make sure you entered the correct tag name, and that you are "
                + "authenticated correctly, and try again: checking push permission for \"r.example/m:k\": POST "
                + "http://r.example/v2/m/blobs/uploads/: UNAUTHORIZED: authentication required";
        assertThat(KanikoFailure.summary(log)).startsWith("kaniko: error checking push permissions -- make sure")
                .endsWith("UNAUTHORIZED: authentication required");
    }

    @Test
    void aCloneOrPushFailureHasNoStep() {
        assertThat(KanikoFailure.summary("Error: error resolving source context: reference not found"))
                .isEqualTo("kaniko: error resolving source context: reference not found");
    }

    @Test
    void boundedAndWithoutControlCharacters() {
        String log = "INFO[0001] RUN " + "x".repeat(10_000) + "\n" + ("a.c:1: error: " + "y\u0007".repeat(5_000) + "\n")
                .repeat(50);
        String s = KanikoFailure.summary(log);
        assertThat(s).hasSizeLessThanOrEqualTo(KanikoFailure.MAX).doesNotContain("\u0007");
    }

    @Test
    void anErrorBeforeTheBuildIsFollowedByKanikosUsageText() {
        String tail = "      --verbosity string   Log level (trace, debug, info, warn, error, fatal, panic) (default "
                + "\"info\")\n\nUse \"executor [command] --help\" for more information about a command.\n";
        assertThat(KanikoFailure.summary(tail)).isEqualTo(KanikoFailure.BEFORE_BUILD);
        // when the error line made it into the kept end, it is quoted
        assertThat(KanikoFailure.summary("Error: error resolving source context: reference not found\nUsage:\n"
                + tail)).isEqualTo("kaniko: error resolving source context: reference not found");
    }

    @Test
    void nothingUsefulIsNothing() {
        assertThat(KanikoFailure.summary(null)).isNull();
        assertThat(KanikoFailure.summary("  \n")).isNull();
        assertThat(KanikoFailure.summary("just some output\nmore")).isNull();
    }
}

package io.kmm.meta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void loaderNameIsReadableDeterministicAndAValidLabel() {
        String name = Names.loaderDaemonSet("module-sample", "5.16.11-200.fc35.x86_64");
        assertThat(name).startsWith("module-sample-5-16-11-200-fc35-x86-64-");
        assertThat(Names.isDnsLabel(name)).isTrue();
        assertThat(Names.loaderDaemonSet("module-sample", "5.16.11-200.fc35.x86_64")).isEqualTo(name);
    }

    @Test
    void kernelsThatDifferOnlyInUnsupportedCharactersGetDifferentNames() {
        assertThat(Names.loaderDaemonSet("m", "5.4.0_1")).isNotEqualTo(Names.loaderDaemonSet("m", "5.4.0-1"));
        assertThat(Names.loaderDaemonSet("m", "5.4.0-A")).isNotEqualTo(Names.loaderDaemonSet("m", "5.4.0-a"));
    }

    @Test
    void longNamesAreShortenedTo63Characters() {
        String module = "a-very-long-module-name-that-some-vendor-thought-was-a-good-idea-for-a-driver";
        String name = Names.loaderDaemonSet(module, "5.14.0-284.11.1.el9_2.x86_64+debug");
        assertThat(name).hasSizeLessThanOrEqualTo(63);
        assertThat(Names.isDnsLabel(name)).isTrue();
        String dp = Names.devicePluginDaemonSet(module);
        assertThat(dp).hasSizeLessThanOrEqualTo(63);
        assertThat(Names.isDnsLabel(dp)).isTrue();
        assertThat(dp).isNotEqualTo(Names.devicePluginDaemonSet(module + "x"));
    }

    @Test
    void shortDevicePluginNameIsPlain() {
        assertThat(Names.devicePluginDaemonSet("gpu")).isEqualTo("gpu-device-plugin");
    }
}

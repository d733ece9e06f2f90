package io.kmm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.kmm.api.v1alpha1.Build;
import io.kmm.api.v1alpha1.Sign;

/** Merging and checking signing settings, and the unsigned image's name. */
class SignSettingsTest {

    static Sign sign(String key, String cert, String unsigned, String... files) {
        Sign s = new Sign();
        s.setKeySecret(key == null ? null : new LocalObjectReference(key));
        s.setCertSecret(cert == null ? null : new LocalObjectReference(cert));
        s.setUnsignedImage(unsigned);
        s.setFilesToSign(files.length == 0 ? null : List.of(files));
        return s;
    }

    @Test
    void theMappingWinsFieldByFieldAndAddsItsFiles() {
        Sign merged = SignSettings.merge(sign("key", "cert", "vendor/mod:1", "/opt/a.ko", "/opt/b.ko"),
                sign("key-2", null, null, "/opt/b.ko", "/opt/c.ko"));
        assertThat(merged.getKeySecret().getName()).isEqualTo("key-2");
        assertThat(merged.getCertSecret().getName()).isEqualTo("cert");
        assertThat(merged.getUnsignedImage()).isEqualTo("vendor/mod:1");
        assertThat(merged.getFilesToSign()).containsExactly("/opt/a.ko", "/opt/b.ko", "/opt/c.ko");
        assertThat(SignSettings.merge(null, null)).isNull();
        assertThat(SignSettings.merge(null, sign("k", "c", null, "/opt/a.ko")).getFilesToSign())
                .containsExactly("/opt/a.ko");
    }

    @Test
    void problemsNameTheField() {
        Build build = new Build();
        assertThat(SignSettings.problem(sign(null, "c", "v:1", "/opt/a.ko"), null, "/opt").subField())
                .isEqualTo(".keySecret");
        assertThat(SignSettings.problem(sign("k", null, "v:1", "/opt/a.ko"), null, "/opt").subField())
                .isEqualTo(".certSecret");
        assertThat(SignSettings.problem(sign("k", "c", null, "/opt/a.ko"), null, "/opt").message())
                .startsWith("nothing to sign");
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/opt/a.ko"), build, "/opt").message())
                .isEqualTo("set either build settings (their output is signed) or sign.unsignedImage, not both");
        assertThat(SignSettings.problem(sign("k", "c", "v:1"), null, "/opt").subField()).isEqualTo(".filesToSign");
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/etc/a.ko"), null, "/opt").message())
                .isEqualTo("\"/etc/a.ko\" is not under modprobe.dirName (/opt)");
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/optional/a.ko"), null, "/opt")).isNotNull();
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/opt/../etc/a.ko"), null, "/opt").message())
                .contains("leaves /opt");
        for (String injection : List.of("/opt/a.ko;reboot", "/opt/a.ko $(reboot)", "/opt/`id`.ko", "/opt/'a'.ko",
                "opt/a.ko", "/opt/a\n.ko")) {
            assertThat(SignSettings.problem(sign("k", "c", "v:1", injection), null, "/opt")).as(injection)
                    .isNotNull();
        }
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/opt/lib/modules/${KERNEL_FULL_VERSION}/*.ko"), null,
                "/opt")).isNull();
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/opt/${KERNEL}/a.ko"), null, "/opt").message())
                .contains("KERNEL");
        assertThat(SignSettings.problem(sign("k", "c", "v:${NOPE}", "/opt/a.ko"), null, "/opt").subField())
                .isEqualTo(".unsignedImage");
        assertThat(SignSettings.problem(sign("k", "c", "v:1", "/usr/lib/a.ko"), null, "/usr/lib")).isNull();
    }

    @Test
    void theUnsignedImageOfABuild() {
        assertThat(SignSettings.unsignedImage("reg:5000/ns/mod:6.1.0")).isEqualTo("reg:5000/ns/mod:6.1.0-unsigned");
        assertThat(SignSettings.unsignedImage("reg:5000/ns/mod")).isEqualTo("reg:5000/ns/mod:latest-unsigned");
        String longTag = "t".repeat(125);
        String unsigned = SignSettings.unsignedImage("reg/mod:" + longTag);
        assertThat(unsigned.substring(unsigned.indexOf(':') + 1)).hasSizeLessThanOrEqualTo(128).endsWith("-unsigned");
        assertThat(ImageReferences.isValid(unsigned)).isTrue();
    }
}

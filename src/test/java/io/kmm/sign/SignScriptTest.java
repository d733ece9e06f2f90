package io.kmm.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated signing script, run by the real shell with the real {@code sign-file} (Debian's linux-kbuild
 * package: what a sign image contains) on a copy of an image's module directory; the signatures are then verified
 * with openssl against the certificate.
 */
class SignScriptTest {

    static final String SIGN_FILE = "/usr/lib/linux-kbuild-6.1/scripts/sign-file";
    static final byte[] MAGIC = "~Module signature appended~\n".getBytes(StandardCharsets.US_ASCII);

    static TestKeys keys;

    @BeforeAll
    static void setUp() throws Exception {
        ensureInstalled();
        keys = TestKeys.generate("kmm script test");
    }

    /** Installs Debian's linux-kbuild-6.1 when missing and running as root (CI machines); else says what to do. */
    static synchronized void ensureInstalled() throws Exception {
        if (Files.isExecutable(Path.of(SIGN_FILE))) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("The signing tests need sign-file: apt-get install linux-kbuild-6.1");
        }
        TestKeys.run(List.of("apt-get", "install", "-y", "-q", "linux-kbuild-6.1"));
    }

    private record Run(int code, String out) {
    }

    private static Run run(Path root, List<String> files) throws Exception {
        String script = String.join(" ", SigningBuilds.script(root.toString(), files, SIGN_FILE,
                keys.key().toString(), keys.certDer().toString()));
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Run(p.waitFor(), out);
    }

    private static Path image(String... modules) throws Exception {
        Path root = Files.createTempDirectory("kmm-image");
        for (String module : modules) {
            Path file = root.resolve(module.substring(1));
            Files.createDirectories(file.getParent());
            Files.write(file, ("\u007fELF pretend module " + module).getBytes(StandardCharsets.US_ASCII));
        }
        return root;
    }

    @Test
    void everyListedFileIsSignedWithTheKey() throws Exception {
        Path root = image("/opt/lib/modules/6.1.0/extra/a.ko", "/opt/lib/modules/6.1.0/extra/b.ko",
                "/opt/lib/modules/6.1.0/extra/c.ko", "/opt/lib/modules/6.1.0/modules.dep");
        byte[] original = Files.readAllBytes(root.resolve("opt/lib/modules/6.1.0/extra/a.ko"));
        Run run = run(root, List.of("/opt/lib/modules/6.1.0/extra/a.ko", "/opt/lib/modules/6.1.0/extra/[bc].ko"));
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out()).contains("signed /opt/lib/modules/6.1.0/extra/a.ko",
                "signed /opt/lib/modules/6.1.0/extra/b.ko", "signed /opt/lib/modules/6.1.0/extra/c.ko");
        for (String m : List.of("a", "b", "c")) {
            byte[] signed = Files.readAllBytes(root.resolve("opt/lib/modules/6.1.0/extra/" + m + ".ko"));
            assertThat(Arrays.copyOfRange(signed, signed.length - MAGIC.length, signed.length)).isEqualTo(MAGIC);
        }
        assertThat(Files.readString(root.resolve("opt/lib/modules/6.1.0/modules.dep"))).doesNotContain("~Module");
        assertThat(keys.verifySignature(root.resolve("opt/lib/modules/6.1.0/extra/a.ko"))).isEqualTo(original);
    }

    @Test
    void anEntryThatMatchesNothingFailsTheSigningAndIsNamed() throws Exception {
        Path root = image("/opt/lib/modules/6.1.0/extra/a.ko");
        Run run = run(root, List.of("/opt/lib/modules/6.1.0/extra/a.ko", "/opt/lib/modules/6.1.0/extra/missing*.ko"));
        assertThat(run.code()).isNotZero();
        assertThat(run.out()).contains("kmm: no file of the unsigned image matches filesToSign entry "
                + "/opt/lib/modules/6.1.0/extra/missing*.ko");
    }

    /**
     * The appended signature (PKCS#7, then the 12-byte module_signature whose last 4 bytes are its length, then the
     * magic) verifies against the certificate over the original module bytes.
     */
}

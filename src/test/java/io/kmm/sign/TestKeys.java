package io.kmm.sign;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Signing keys and certificates made as docs/builds.md tells users to make them: {@code openssl req -x509 -new
 * -nodes} (openssl is on every machine the tests run on, .ci/run installs it).
 */
public record TestKeys(Path dir, Path key, Path certPem, Path certDer) {

    public static TestKeys generate(String commonName) throws Exception {
        Path dir = Files.createTempDirectory("kmm-keys");
        Path key = dir.resolve("signing_key.priv");
        Path pem = dir.resolve("signing_key.pem");
        Path der = dir.resolve("signing_key.der");
        run(List.of("openssl", "req", "-x509", "-new", "-nodes", "-utf8", "-sha256", "-days", "3650", "-batch",
                "-newkey", "rsa:2048", "-subj", "/CN=" + commonName, "-addext", "extendedKeyUsage=codeSigning",
                "-keyout", key.toString(), "-out", pem.toString()));
        run(List.of("openssl", "x509", "-in", pem.toString(), "-outform", "DER", "-out", der.toString()));
        return new TestKeys(dir, key, pem, der);
    }

    public byte[] keyBytes() throws Exception {
        return Files.readAllBytes(key);
    }

    public byte[] certDerBytes() throws Exception {
        return Files.readAllBytes(certDer);
    }

    public byte[] certPemBytes() throws Exception {
        return Files.readAllBytes(certPem);
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}

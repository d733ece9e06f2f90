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

    /**
     * Checks the signature {@code sign-file} appended to a module (the kernel's format: PKCS#7 signature, a 12-byte
     * trailer with its length, the magic string) with openssl against this certificate.
     *
     * @return the module without its signature
     */
    public byte[] verifySignature(Path module) throws Exception {
        byte[] magic = "~Module signature appended~\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] signed = Files.readAllBytes(module);
        int end = signed.length - magic.length;
        if (end < 12 || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(signed, end, signed.length), magic)) {
            throw new AssertionError(module + " carries no module signature");
        }
        int length = ((signed[end - 4] & 0xff) << 24) | ((signed[end - 3] & 0xff) << 16)
                | ((signed[end - 2] & 0xff) << 8) | (signed[end - 1] & 0xff);
        int start = end - 12 - length;
        byte[] content = java.util.Arrays.copyOfRange(signed, 0, start);
        Path work = Files.createTempDirectory("kmm-verify");
        Files.write(work.resolve("sig.p7"), java.util.Arrays.copyOfRange(signed, start, start + length));
        Files.write(work.resolve("content"), content);
        String out = run(List.of("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                work.resolve("sig.p7").toString(), "-content", work.resolve("content").toString(), "-certfile",
                certPem.toString(), "-nointern", "-noverify", "-out", "/dev/null"));
        if (!out.contains("Verification successful")) {
            throw new AssertionError("the signature of " + module + " is not this key's: " + out);
        }
        return content;
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

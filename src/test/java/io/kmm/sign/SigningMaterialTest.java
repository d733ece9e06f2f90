package io.kmm.sign;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The checks of a signing key and certificate, with keys made by openssl as the docs say. */
class SigningMaterialTest {

    static TestKeys keys;
    static TestKeys other;

    @BeforeAll
    static void keys() throws Exception {
        keys = TestKeys.generate("kmm test signing key");
        other = TestKeys.generate("another key");
    }

    private static String problem(byte[] key, byte[] cert) {
        return SigningMaterial.problem(key, cert, "Secret ns/k (sign.keySecret)", "Secret ns/c (sign.certSecret)");
    }

    @Test
    void aKeyAndItsCertificateInDerOrPem() throws Exception {
        assertThat(problem(keys.keyBytes(), keys.certDerBytes())).isNull();
        assertThat(problem(keys.keyBytes(), keys.certPemBytes())).isNull();
    }

    @Test
    void mistakesAreNamedWithoutTheContent() throws Exception {
        String keyBody = new String(keys.keyBytes(), StandardCharsets.US_ASCII).lines()
                .filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        List<String> problems = List.of(
                problem(keys.keyBytes(), "not a certificate".getBytes()),
                problem("not a key".getBytes(), keys.certDerBytes()),
                problem(keys.certPemBytes(), keys.certDerBytes()),
                problem(other.keyBytes(), keys.certDerBytes()),
                problem(("-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + keyBody + "\n-----END ENCRYPTED PRIVATE KEY-----\n")
                        .getBytes(), keys.certDerBytes()),
                problem("-----BEGIN PRIVATE KEY-----\n%%%%\n-----END PRIVATE KEY-----\n".getBytes(),
                        keys.certDerBytes()));
        assertThat(problems.get(0)).isEqualTo("the 'cert' entry of Secret ns/c (sign.certSecret) is not an X.509 "
                + "certificate (PEM or DER)");
        assertThat(problems.get(1)).startsWith("the 'key' entry of Secret ns/k (sign.keySecret) is not a PEM private key");
        assertThat(problems.get(2)).as("a certificate in the key's place").contains("is not a PEM private key");
        assertThat(problems.get(3)).isEqualTo("the key of Secret ns/k (sign.keySecret) does not belong to the "
                + "certificate of Secret ns/c (sign.certSecret): modules signed with it would not load on nodes that "
                + "enrolled the certificate");
        assertThat(problems.get(4)).contains("is encrypted");
        assertThat(problems.get(5)).isNotNull();
        String certBase64 = Base64.getEncoder().encodeToString(keys.certDerBytes()).substring(0, 40);
        assertThat(problems).allSatisfy(p -> assertThat(p).isNotNull().doesNotContain(keyBody.substring(0, 20))
                .doesNotContain(certBase64));
    }

    @Test
    void theFingerprintFollowsBothContents() throws Exception {
        String fingerprint = SigningMaterial.fingerprint(keys.keyBytes(), keys.certDerBytes());
        assertThat(fingerprint).hasSize(64).isEqualTo(SigningMaterial.fingerprint(keys.keyBytes(),
                keys.certDerBytes()));
        assertThat(SigningMaterial.fingerprint(other.keyBytes(), keys.certDerBytes())).isNotEqualTo(fingerprint);
        assertThat(SigningMaterial.fingerprint(keys.keyBytes(), other.certDerBytes())).isNotEqualTo(fingerprint);
        assertThat(SigningMaterial.fingerprint(keys.keyBytes(), keys.certPemBytes())).as("other bytes, same cert")
                .isNotEqualTo(fingerprint);
    }

    @Test
    void largeOrHostileEntriesAreRefusedQuickly() throws Exception {
        byte[] mebibyte = " ".repeat(1024 * 1024).getBytes();
        assertThat(problem(mebibyte, keys.certDerBytes())).contains("is larger than 64 KiB");
        assertThat(problem(keys.keyBytes(), mebibyte)).contains("'cert' entry", "is larger than 64 KiB");
        // what made the old regular expression backtrack for tens of seconds: white space without an end
        String spaces = " ".repeat(60 * 1024);
        for (String hostile : new String[] { "-----BEGIN PRIVATE KEY-----" + spaces,
                "-----BEGIN PRIVATE KEY-----" + spaces + "-----END PUBLIC KEY-----",
                "-----BEGIN -----BEGIN -----BEGIN " + spaces }) {
            assertThat(problem(hostile.getBytes(), keys.certDerBytes())).contains("is not a PEM private key");
        }
        assertThat(SigningMaterial.pem("junk -----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n"))
                .isEqualTo(new SigningMaterial.Pem("PRIVATE KEY", "\nQUJD\n"));
    }
}

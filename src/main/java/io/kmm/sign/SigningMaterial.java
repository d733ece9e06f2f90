package io.kmm.sign;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Checks a signing key and certificate the way {@code sign-file} will use them, and fingerprints them. Pure. No
 * message ever contains their content.
 */
public final class SigningMaterial {

    /** The Secret entries, as the reference operator names them. */
    public static final String KEY_ENTRY = "key";
    public static final String CERT_ENTRY = "cert";

    /** The largest key or certificate entry read: PEM keys and certificates are a few kilobytes. */
    public static final int MAX_BYTES = 64 * 1024;

    /** A PEM block: its label (e.g. {@code PRIVATE KEY}) and its body (base64, headers). */
    record Pem(String label, String body) {
    }

    private SigningMaterial() {
    }

    /**
     * What is wrong with a key and certificate, or null when {@code sign-file} can use them.
     *
     * @param keyName for messages, e.g. {@code Secret ns/my-key (sign.keySecret)}
     */
    public static String problem(byte[] key, byte[] cert, String keyName, String certName) {
        if (cert.length > MAX_BYTES) {
            return "the '" + CERT_ENTRY + "' entry of " + certName + " is larger than " + MAX_BYTES / 1024
                    + " KiB: not a certificate";
        }
        if (key.length > MAX_BYTES) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is larger than " + MAX_BYTES / 1024
                    + " KiB: not a signing key";
        }
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(cert));
        } catch (CertificateException | RuntimeException e) {
            return "the '" + CERT_ENTRY + "' entry of " + certName + " is not an X.509 certificate (PEM or DER)";
        }
        Pem pem = pem(new String(key, StandardCharsets.US_ASCII));
        if (pem == null || !pem.label().endsWith("PRIVATE KEY")) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is not a PEM private key (-----BEGIN PRIVATE "
                    + "KEY-----, as openssl req -nodes -keyout writes it)";
        }
        if (pem.label().startsWith("ENCRYPTED")) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is encrypted: sign-file cannot ask for its "
                    + "passphrase; store it unencrypted (openssl req -nodes) and protect the Secret instead";
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.body().replaceAll("[^A-Za-z0-9+/=]", ""));
        } catch (IllegalArgumentException e) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is not valid PEM (its body is not base64)";
        }
        if ("PRIVATE KEY".equals(pem.label()) && !belongsTo(der, certificate.getPublicKey())) {
            return "the key of " + keyName + " does not belong to the certificate of " + certName
                    + ": modules signed with it would not load on nodes that enrolled the certificate";
        }
        return null;
    }

    /**
     * The first PEM block of a text, or null: read with indexOf, in time linear in the text (a regular expression
     * that backtracked over white space took 51 s for 2,000 spaces).
     */
    static Pem pem(String text) {
        String begin = "-----BEGIN ";
        int from = 0;
        while (true) {
            int start = text.indexOf(begin, from);
            if (start < 0) {
                return null;
            }
            int labelStart = start + begin.length();
            int labelEnd = text.indexOf("-----", labelStart);
            if (labelEnd < 0) {
                return null;
            }
            String label = text.substring(labelStart, labelEnd);
            if (!label.isEmpty() && label.length() <= 64 && label.chars().allMatch(c -> (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9') || c == ' ')) {
                String end = "-----END " + label + "-----";
                int bodyStart = labelEnd + 5;
                int endAt = text.indexOf(end, bodyStart);
                if (endAt < 0) {
                    return null;
                }
                String body = text.substring(bodyStart, endAt);
                boolean plain = body.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                        || (c >= '0' && c <= '9') || "+/=:,- \t\r\n".indexOf(c) >= 0);
                return plain ? new Pem(label, body) : null;
            }
            from = labelStart;
        }
    }

    /** Whether an unencrypted PKCS#8 key matches a public key (RSA is compared; other kinds are trusted). */
    private static boolean belongsTo(byte[] pkcs8, PublicKey publicKey) {
        if (!(publicKey instanceof RSAPublicKey rsa)) {
            return true;
        }
        try {
            var privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            if (privateKey instanceof RSAPrivateCrtKey crt) {
                return crt.getModulus().equals(rsa.getModulus()) && crt.getPublicExponent().equals(rsa.getPublicExponent());
            }
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false; // not an RSA key, while the certificate is one
        }
    }

    /** A fingerprint of both: changes whenever either content changes, and tells nothing about them. */
    public static String fingerprint(byte[] key, byte[] cert) {
        return HexFormat.of().formatHex(sha256((HexFormat.of().formatHex(sha256(key)) + ":"
                + HexFormat.of().formatHex(sha256(cert))).getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}

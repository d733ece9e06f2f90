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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a signing key and certificate the way {@code sign-file} will use them, and fingerprints them. Pure. No
 * message ever contains their content.
 */
public final class SigningMaterial {

    /** The Secret entries, as the reference operator names them. */
    public static final String KEY_ENTRY = "key";
    public static final String CERT_ENTRY = "cert";

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s:,-]+?)\\s*-----END \\1-----");

    private SigningMaterial() {
    }

    /**
     * What is wrong with a key and certificate, or null when {@code sign-file} can use them.
     *
     * @param keyName for messages, e.g. {@code Secret ns/my-key (sign.keySecret)}
     */
    public static String problem(byte[] key, byte[] cert, String keyName, String certName) {
        X509Certificate certificate;
        try {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(cert));
        } catch (CertificateException | RuntimeException e) {
            return "the '" + CERT_ENTRY + "' entry of " + certName + " is not an X.509 certificate (PEM or DER)";
        }
        String text = new String(key, StandardCharsets.US_ASCII);
        Matcher pem = PEM.matcher(text);
        if (!pem.find() || !pem.group(1).endsWith("PRIVATE KEY")) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is not a PEM private key (-----BEGIN PRIVATE "
                    + "KEY-----, as openssl req -nodes -keyout writes it)";
        }
        if (pem.group(1).startsWith("ENCRYPTED")) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is encrypted: sign-file cannot ask for its "
                    + "passphrase; store it unencrypted (openssl req -nodes) and protect the Secret instead";
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.group(2).replaceAll("[^A-Za-z0-9+/=]", ""));
        } catch (IllegalArgumentException e) {
            return "the '" + KEY_ENTRY + "' entry of " + keyName + " is not valid PEM (its body is not base64)";
        }
        if ("PRIVATE KEY".equals(pem.group(1)) && !belongsTo(der, certificate.getPublicKey())) {
            return "the key of " + keyName + " does not belong to the certificate of " + certName
                    + ": modules signed with it would not load on nodes that enrolled the certificate";
        }
        return null;
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

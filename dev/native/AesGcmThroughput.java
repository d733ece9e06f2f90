import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts 16 KiB records with AES-GCM, as TLS 1.3 does for the operator's API traffic, and prints the throughput:
 * run natively by dev/native/tls-throughput for two instruction sets (docs/performance.md).
 */
public final class AesGcmThroughput {

    public static void main(String[] args) throws Exception {
        byte[] key = new byte[16];
        byte[] record = new byte[16 * 1024];
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long bytes = 0;
        long start = System.nanoTime();
        for (int i = 0; i < records; i++) {
            byte[] nonce = new byte[12];
            nonce[0] = (byte) i;
            nonce[1] = (byte) (i >> 8);
            nonce[2] = (byte) (i >> 16);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            bytes += cipher.doFinal(record).length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%.0f MB/s%n", bytes / 1e6 / seconds);
    }
}

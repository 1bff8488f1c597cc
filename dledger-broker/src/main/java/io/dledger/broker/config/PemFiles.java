package io.dledger.broker.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Checks of the PEM files TLS reads ({@code grpc.tls.*}), made when the configuration loads: gRPC parses them only
 * when the server starts or the first call connects, where a bad file would stop a half-started node or fail every
 * status call. Stateless.
 */
final class PemFiles {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA");

    private PemFiles() {
    }

    /** Null when {@code file} holds at least one X.509 certificate in PEM, else what is wrong. */
    static String certificatesProblem(ConfigKey key, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                return key.key() + " " + file + " holds no certificate";
            }
            return null;
        } catch (IOException | CertificateException e) {
            return key.key() + " " + file + " is not a PEM certificate file: " + e.getMessage();
        }
    }

    /** Null when {@code file} holds an unencrypted PKCS#8 private key in PEM, else what is wrong. */
    static String privateKeyProblem(ConfigKey key, Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return key.key() + ": cannot read " + file + ": " + e.getMessage();
        }
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            return key.key() + " " + file + " holds no unencrypted PKCS#8 key ('" + KEY_BEGIN + "'); convert one with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in old.key -out node.key'";
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            return key.key() + " " + file + ": the key is not valid base64";
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return null;
            } catch (java.security.GeneralSecurityException notThisOne) {
                // the next algorithm
            }
        }
        return key.key() + " " + file + ": the key is none of " + KEY_ALGORITHMS;
    }
}

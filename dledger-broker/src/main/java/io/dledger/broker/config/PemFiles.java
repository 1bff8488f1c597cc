package io.dledger.broker.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files TLS uses ({@code grpc.tls.*}, {@code raft.tls.ca}), and checks them when the configuration
 * loads, so a bad file stops a node before anything starts and {@code cluster up} reports it before starting nodes.
 * Stateless.
 */
public final class PemFiles {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "DSA");
    private static final byte[] PROBE = "does this key sign for that certificate".getBytes(StandardCharsets.US_ASCII);

    private PemFiles() {
    }

    /** The X.509 certificates in {@code file}, in their order there (none: an empty list). */
    public static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        return certificates(Files.readAllBytes(file));
    }

    /** The X.509 certificates in {@code pem}, a PEM file's content. */
    public static List<X509Certificate> certificates(byte[] pem) throws CertificateException {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).stream()
                .map(c -> (X509Certificate) c).toList();
    }

    /**
     * The unencrypted PKCS#8 private key in {@code file}; a {@link GeneralSecurityException} says what is wrong when
     * there is none, or it is none of the algorithms Java reads.
     */
    public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        return privateKey(Files.readAllBytes(file));
    }

    /** The unencrypted PKCS#8 private key in {@code pem}, a PEM file's content; as {@link #privateKey(Path)}. */
    public static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
        String text = new String(pem, StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("no unencrypted PKCS#8 key ('" + KEY_BEGIN + "'); convert one with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in old.key -out node.key'");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the key is not valid base64");
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // the next algorithm
            }
        }
        throw new GeneralSecurityException("the key is none of " + KEY_ALGORITHMS);
    }

    /** Whether {@code key} signs what {@code certificate}'s public key verifies: the certificate is the key's. */
    public static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) { // another kind of key than the certificate's
            return false;
        }
    }

    /**
     * Null when {@code keyFile}'s key is the key of {@code certFile}'s first certificate (or either cannot be read:
     * their own checks say so), else what is wrong.
     */
    static String keyMismatch(Path certFile, Path keyFile) {
        try {
            List<X509Certificate> chain = certificates(certFile);
            if (chain.isEmpty() || keyMatches(privateKey(keyFile), chain.get(0))) {
                return null;
            }
            return notTheKey(certFile, keyFile);
        } catch (IOException | GeneralSecurityException e) {
            return null;
        }
    }

    /** What is wrong when {@code keyFile}'s key does not belong to {@code certFile}'s first certificate. */
    public static String notTheKey(Path certFile, Path keyFile) {
        return ConfigKey.GRPC_TLS_KEY.key() + " " + keyFile + " is not the key of " + ConfigKey.GRPC_TLS_CERT.key()
                + " " + certFile + "'s first certificate";
    }

    /** Null when {@code file} holds at least one X.509 certificate in PEM, else what is wrong. */
    static String certificatesProblem(ConfigKey key, Path file) {
        try {
            if (certificates(file).isEmpty()) {
                return key.key() + " " + file + " holds no certificate";
            }
            return null;
        } catch (IOException | CertificateException e) {
            return key.key() + " " + file + " is not a PEM certificate file: " + e.getMessage();
        }
    }

    /** Null when {@code file} holds an unencrypted PKCS#8 private key in PEM, else what is wrong. */
    static String privateKeyProblem(ConfigKey key, Path file) {
        try {
            privateKey(file);
            return null;
        } catch (IOException e) {
            return key.key() + ": cannot read " + file + ": " + e.getMessage();
        } catch (GeneralSecurityException e) {
            String why = e.getMessage();
            return key.key() + " " + file + (why.startsWith("no ") ? " holds " : ": ") + why;
        }
    }
}

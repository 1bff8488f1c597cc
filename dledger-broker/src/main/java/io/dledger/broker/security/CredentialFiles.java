package io.dledger.broker.security;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigException;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.GrpcTls;
import io.dledger.broker.config.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a node's credentials and what was last taken from them: the certificate chain with its key, the trusted
 * certificates, the tokens. A file counts as changed when its content differs from what was last looked at (not its
 * time stamp: a file rewritten within the same second, or swapped in through a symbolic link, is seen too).
 *
 * <p>A change is taken only once what it belongs to can be used: the chain and the key together, and only when the
 * key belongs to the chain's first certificate (a rotation that replaces the two files one after the other is taken
 * once both are in place); a CA file or token file that parses. Until then the node goes on with what it had, and the
 * log says why, once per content. {@link #readAll()} reads everything at start and throws instead.
 *
 * <p>Not thread-safe for reading the files (one thread: the start, then the checker); {@link #tokens()} may be called
 * from any thread.
 */
final class CredentialFiles {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialFiles.class);
    private static final byte[] PROBE = "does this key sign for that certificate".getBytes(StandardCharsets.US_ASCII);

    /** Takes a new certificate chain and its key. */
    interface Identity {
        void use(X509Certificate[] chain, PrivateKey key) throws GeneralSecurityException;
    }

    /** Takes new trusted certificates. */
    interface Trust {
        void use(X509Certificate[] certificates) throws IOException, GeneralSecurityException;
    }

    private final GrpcTls tls; // null: no TLS
    private final Path tokensFile; // null: no tokens
    private final Identity identity;
    private final Trust trust;
    private byte[] certSeen;
    private byte[] keySeen;
    private byte[] caSeen;
    private byte[] tokensSeen;
    private volatile AuthTokens tokens;

    CredentialFiles(GrpcTls tls, Path tokensFile, Identity identity, Trust trust) {
        this.tls = tls;
        this.tokensFile = tokensFile;
        this.identity = identity;
        this.trust = trust;
    }

    /** The tokens last taken, or null without a token file. */
    AuthTokens tokens() {
        return tokens;
    }

    /** Reads every file; throws when one cannot be used. */
    void readAll() throws IOException, GeneralSecurityException {
        if (tls != null) {
            certSeen = Files.readAllBytes(tls.cert());
            keySeen = Files.readAllBytes(tls.key());
            takeIdentity();
            caSeen = Files.readAllBytes(tls.ca());
            takeTrust();
        }
        if (tokensFile != null) {
            tokensSeen = Files.readAllBytes(tokensFile);
            tokens = AuthTokens.load(tokensFile);
        }
    }

    /** Takes what changed since the last look and can be used; logs what changed and cannot. */
    void readChanged() {
        if (tls != null) {
            byte[] cert = read(tls.cert(), ConfigKey.GRPC_TLS_CERT);
            byte[] key = read(tls.key(), ConfigKey.GRPC_TLS_KEY);
            if (cert != null && key != null && !(Arrays.equals(cert, certSeen) && Arrays.equals(key, keySeen))) {
                certSeen = cert;
                keySeen = key;
                try {
                    X509Certificate first = takeIdentity();
                    LOG.info("took the new {} and {}: this node now presents '{}', valid until {}",
                            ConfigKey.GRPC_TLS_CERT.key(), ConfigKey.GRPC_TLS_KEY.key(),
                            first.getSubjectX500Principal().getName(), first.getNotAfter().toInstant());
                } catch (IOException | GeneralSecurityException e) {
                    LOG.warn("{} {} and {} {} changed but cannot be used ({}); this node presents the previous "
                            + "certificate until they can", ConfigKey.GRPC_TLS_CERT.key(), tls.cert(),
                            ConfigKey.GRPC_TLS_KEY.key(), tls.key(), e.getMessage());
                }
            }
            byte[] ca = read(tls.ca(), ConfigKey.GRPC_TLS_CA);
            if (ca != null && !Arrays.equals(ca, caSeen)) {
                caSeen = ca;
                try {
                    LOG.info("took the new {}: this node trusts {} certificate(s)", ConfigKey.GRPC_TLS_CA.key(),
                            takeTrust());
                } catch (IOException | GeneralSecurityException e) {
                    LOG.error("{} {} changed but cannot be used ({}); this node trusts the previous certificates "
                            + "until it can", ConfigKey.GRPC_TLS_CA.key(), tls.ca(), e.getMessage());
                }
            }
        }
        if (tokensFile != null) {
            byte[] content = read(tokensFile, ConfigKey.GRPC_AUTH_TOKENS_FILE);
            if (content != null && !Arrays.equals(content, tokensSeen)) {
                tokensSeen = content;
                try {
                    tokens = AuthTokens.load(tokensFile);
                    LOG.info("took the new {}: {}", ConfigKey.GRPC_AUTH_TOKENS_FILE.key(), tokens);
                } catch (ConfigException e) {
                    LOG.error("{} changed but cannot be used ({}); this node accepts the previous tokens until it "
                            + "can", ConfigKey.GRPC_AUTH_TOKENS_FILE.key(), String.join("; ", e.problems()));
                }
            }
        }
    }

    /** The file's content, or null (logged) when it cannot be read now, say in the middle of a replacement. */
    private static byte[] read(Path file, ConfigKey setting) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            LOG.debug("cannot read {} {} now: {}", setting.key(), file, e.getMessage());
            return null;
        }
    }

    private X509Certificate takeIdentity() throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = PemFiles.certificates(tls.cert());
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(ConfigKey.GRPC_TLS_CERT.key() + " holds no certificate");
        }
        PrivateKey key;
        try {
            key = PemFiles.privateKey(tls.key());
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(ConfigKey.GRPC_TLS_KEY.key() + ": " + e.getMessage(), e);
        }
        if (!belongsTo(key, chain.get(0))) {
            throw new GeneralSecurityException(ConfigKey.GRPC_TLS_KEY.key() + " " + tls.key() + " is not the key of "
                    + ConfigKey.GRPC_TLS_CERT.key() + " " + tls.cert() + "'s first certificate");
        }
        identity.use(chain.toArray(new X509Certificate[0]), key);
        return chain.get(0);
    }

    private int takeTrust() throws IOException, GeneralSecurityException {
        List<X509Certificate> trusted = PemFiles.certificates(tls.ca());
        if (trusted.isEmpty()) {
            throw new GeneralSecurityException(ConfigKey.GRPC_TLS_CA.key() + " holds no certificate");
        }
        trust.use(trusted.toArray(new X509Certificate[0]));
        return trusted.size();
    }

    /** Whether {@code key} signs what {@code certificate}'s public key verifies. */
    static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
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
}

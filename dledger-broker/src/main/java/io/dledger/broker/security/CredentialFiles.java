package io.dledger.broker.security;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigException;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a node's credentials and what was last taken from them: the certificate chain with its key, the
 * certificates trusted for gRPC calls to other nodes, those that admit Raft peers, the tokens. A file counts as changed
 * when its content differs from what was last looked at (not its time stamp: a file rewritten within the same second,
 * or swapped in through a symbolic link, is seen too), and what is taken is parsed from the very bytes compared.
 *
 * <p>A change is taken only once what it belongs to can be used: the chain and the key together, only when the key
 * belongs to the chain's first certificate (a rotation that replaces the two files one after the other is taken once
 * both are in place) and that certificate is valid now; a CA or token file that parses. A token file whose last line
 * has no line break may have been caught half-written, with a line cut before its role ({@code admin} when none) or
 * its {@code topics=}: it is taken only when the next look finds the same content. Until then the node goes on
 * with what it had, and the log says why, once per content; a file that cannot be read is logged once until it can.
 * {@link #readAll()} reads everything at start and throws instead (a certificate outside its validity is only logged
 * there).
 *
 * <p>Thread-safe: the reads are serialised, and {@link #tokens()} may be called from any thread.
 */
final class CredentialFiles {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialFiles.class);

    /** Takes a new certificate chain and its key. */
    interface Identity {
        void use(X509Certificate[] chain, PrivateKey key) throws GeneralSecurityException;
    }

    /** Takes new trusted certificates. */
    interface Trust {
        void use(X509Certificate[] certificates) throws IOException, GeneralSecurityException;
    }

    /** One file and the content last looked at. */
    private static final class Watched {
        final Path file;
        final ConfigKey setting;
        byte[] seen;
        boolean unreadable; // logged

        Watched(Path file, ConfigKey setting) {
            this.file = file;
            this.setting = setting;
        }

        /** The content when it differs from what was last looked at; else, or when it cannot be read, null. */
        byte[] changed() {
            try {
                byte[] content = Files.readAllBytes(file);
                if (unreadable) {
                    unreadable = false;
                    LOG.info("{} {} can be read again", setting.key(), file);
                }
                return Arrays.equals(content, seen) ? null : content;
            } catch (IOException e) {
                if (!unreadable) {
                    unreadable = true;
                    LOG.warn("cannot read {} {} ({}); this node goes on with what it read before", setting.key(),
                            file, e.getMessage());
                }
                return null;
            }
        }
    }

    private final Watched cert; // null: no TLS
    private final Watched key;
    private final Watched grpcCa;
    private final Watched raftCa; // null: no raft.tls
    private final Watched tokensWatched; // the token file; null: no tokens
    private final Identity identity;
    private final Trust grpcTrust;
    private final Trust raftTrust;
    private volatile AuthTokens tokens;
    /** A changed token file whose last line had no line break, not yet taken; null: none. */
    private byte[] tokensPending;

    /**
     * The credential files: {@code certFile} with {@code keyFile} and {@code grpcCaFile} (all null without TLS),
     * {@code raftCaFile} (null without {@code raft.tls}), {@code tokensFile} (null without tokens); what they hold goes
     * to {@code identity}, {@code grpcTrust} and {@code raftTrust}.
     */
    CredentialFiles(Path certFile, Path keyFile, Path grpcCaFile, Path raftCaFile, Path tokensFile, Identity identity,
                    Trust grpcTrust, Trust raftTrust) {
        this.cert = certFile == null ? null : new Watched(certFile, ConfigKey.GRPC_TLS_CERT);
        this.key = keyFile == null ? null : new Watched(keyFile, ConfigKey.GRPC_TLS_KEY);
        this.grpcCa = grpcCaFile == null ? null : new Watched(grpcCaFile, ConfigKey.GRPC_TLS_CA);
        this.raftCa = raftCaFile == null ? null : new Watched(raftCaFile, ConfigKey.RAFT_TLS_CA);
        this.tokensWatched = tokensFile == null ? null : new Watched(tokensFile, ConfigKey.GRPC_AUTH_TOKENS_FILE);
        this.identity = identity;
        this.grpcTrust = grpcTrust;
        this.raftTrust = raftTrust;
    }

    /** The tokens last taken, or null without a token file. */
    AuthTokens tokens() {
        return tokens;
    }

    /** Reads every file; throws when one cannot be read or used. */
    synchronized void readAll() throws IOException, GeneralSecurityException {
        if (cert != null) {
            cert.seen = Files.readAllBytes(cert.file);
            key.seen = Files.readAllBytes(key.file);
            X509Certificate first = takeIdentity(cert.seen, key.seen);
            try {
                first.checkValidity();
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                LOG.warn("{} {}: the certificate this node presents is not valid now ({}); peers and clients will "
                        + "refuse it", ConfigKey.GRPC_TLS_CERT.key(), cert.file, e.getMessage());
            }
            grpcCa.seen = Files.readAllBytes(grpcCa.file);
            takeTrust(grpcCa, grpcCa.seen, grpcTrust);
        }
        if (raftCa != null) {
            raftCa.seen = Files.readAllBytes(raftCa.file);
            takeTrust(raftCa, raftCa.seen, raftTrust);
        }
        if (tokensWatched != null) {
            tokensWatched.seen = Files.readAllBytes(tokensWatched.file);
            tokens = AuthTokens.parse(tokensWatched.file, tokensWatched.seen);
        }
    }

    /** Takes what changed since the last look and can be used; logs what changed and cannot. */
    synchronized void readChanged() {
        if (cert != null) {
            readIdentity();
            readTrust(grpcCa, grpcTrust);
        }
        if (raftCa != null) {
            readTrust(raftCa, raftTrust);
        }
        if (tokensWatched != null) {
            readTokens();
        }
    }

    private void readTokens() {
        byte[] content = tokensWatched.changed();
        if (content == null) { // back to what was taken (or unreadable): a cut seen before counts afresh
            tokensPending = null;
            return;
        }
        if (!endsWithLineBreak(content) && !Arrays.equals(content, tokensPending)) {
            tokensPending = content; // not taken as seen: the next look compares it again
            LOG.info("{} changed and its last line has no line break: taken at the next look if it is still the same "
                    + "(a file caught half-written may cut a line before its role or topics)",
                    tokensWatched.setting.key());
            return;
        }
        tokensPending = null;
        tokensWatched.seen = content;
        try {
            tokens = AuthTokens.parse(tokensWatched.file, content);
            LOG.info("took the new {}: {}", tokensWatched.setting.key(), tokens);
        } catch (ConfigException e) {
            LOG.error("{} changed but cannot be used ({}); this node accepts the previous tokens until it can",
                    tokensWatched.setting.key(), String.join("; ", e.problems()));
        }
    }

    private static boolean endsWithLineBreak(byte[] content) {
        return content.length > 0 && content[content.length - 1] == '\n';
    }

    private void readIdentity() {
        byte[] newCert = cert.changed();
        byte[] newKey = key.changed();
        if (newCert == null && newKey == null) {
            return;
        }
        byte[] certBytes = newCert == null ? cert.seen : newCert;
        byte[] keyBytes = newKey == null ? key.seen : newKey;
        cert.seen = certBytes;
        key.seen = keyBytes;
        try {
            X509Certificate first = PemFiles.certificates(certBytes).stream().findFirst().orElse(null);
            if (first != null) {
                first.checkValidity(); // a certificate no peer would accept is not taken
            }
            first = takeIdentity(certBytes, keyBytes);
            LOG.info("took the new {} and {}: this node now presents '{}', valid until {}", cert.setting.key(),
                    key.setting.key(), first.getSubjectX500Principal().getName(), first.getNotAfter().toInstant());
        } catch (GeneralSecurityException e) {
            LOG.warn("{} {} and {} {} changed but cannot be used ({}); this node presents the previous certificate "
                    + "until they can", cert.setting.key(), cert.file, key.setting.key(), key.file, e.getMessage());
        }
    }

    private void readTrust(Watched ca, Trust trust) {
        byte[] content = ca.changed();
        if (content == null) {
            return;
        }
        ca.seen = content;
        try {
            LOG.info("took the new {}: {} certificate(s)", ca.setting.key(), takeTrust(ca, content, trust));
        } catch (IOException | GeneralSecurityException e) {
            LOG.error("{} {} changed but cannot be used ({}); this node trusts the previous certificates until it can",
                    ca.setting.key(), ca.file, e.getMessage());
        }
    }

    private X509Certificate takeIdentity(byte[] certBytes, byte[] keyBytes) throws GeneralSecurityException {
        List<X509Certificate> chain = PemFiles.certificates(certBytes);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException(cert.setting.key() + " holds no certificate");
        }
        PrivateKey privateKey;
        try {
            privateKey = PemFiles.privateKey(keyBytes);
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(key.setting.key() + ": " + e.getMessage(), e);
        }
        if (!PemFiles.keyMatches(privateKey, chain.get(0))) {
            throw new GeneralSecurityException(PemFiles.notTheKey(cert.file, key.file));
        }
        identity.use(chain.toArray(new X509Certificate[0]), privateKey);
        return chain.get(0);
    }

    private static int takeTrust(Watched ca, byte[] content, Trust trust)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> trusted = PemFiles.certificates(content);
        if (trusted.isEmpty()) {
            throw new GeneralSecurityException(ca.setting.key() + " " + ca.file + " holds no certificate");
        }
        trust.use(trusted.toArray(new X509Certificate[0]));
        return trusted.size();
    }
}

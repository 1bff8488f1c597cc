package io.dledger.client;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * The channel credentials of a client's default channels ({@link DLedgerClient.Builder#tls}): plaintext, or TLS
 * trusting the certificates of a PEM file. The file is read and parsed when the client is built, since gRPC itself
 * parses it only when the first call connects. Stateless.
 */
final class ClientTls {
    private ClientTls() {
    }

    /**
     * Plaintext when {@code trusted} is null, else TLS trusting its certificates.
     *
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    static ChannelCredentials credentials(Path trusted) {
        if (trusted == null) {
            return InsecureChannelCredentials.create();
        }
        try (InputStream in = Files.newInputStream(trusted)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + trusted);
            }
            return TlsChannelCredentials.newBuilder().trustManager(trusted.toFile()).build();
        } catch (IOException | CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read trusted certificates from " + trusted + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : e.getMessage()), e);
        }
    }
}

package io.dledger.broker.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS of a node's gRPC front end ({@code grpc.tls.*}): the certificate chain and private key it presents (with
 * {@code raft.tls} on its Raft port too), and the certificates it trusts when it calls another node's gRPC port. All
 * PEM files, which {@code NodeCredentials} reads at start and again when they change. Immutable.
 *
 * @param cert the certificate chain
 * @param key  its private key, PKCS#8
 * @param ca   the certificates trusted for calls to other nodes
 */
public record GrpcTls(Path cert, Path key, Path ca) {
    public GrpcTls {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ca, "ca");
    }
}

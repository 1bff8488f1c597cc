package io.dledger.broker.server;

import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.GrpcTls;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;

/**
 * The credentials of a node's gRPC server, and of its own calls to other nodes' gRPC ports, from its
 * {@code grpc.tls.*} settings: TLS with them, plaintext without. The files are read here, when the node starts: one
 * that cannot be read or parsed stops the start with the setting it came from. Stateless.
 */
final class GrpcCredentials {
    private GrpcCredentials() {
    }

    /** What the front end serves: TLS with {@code tls}'s certificate and key, or plaintext when {@code tls} is null. */
    static ServerCredentials server(GrpcTls tls) {
        if (tls == null) {
            return InsecureServerCredentials.create();
        }
        try {
            return TlsServerCredentials.create(tls.cert().toFile(), tls.key().toFile());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot use " + ConfigKey.GRPC_TLS_CERT.key() + " " + tls.cert() + " with "
                    + ConfigKey.GRPC_TLS_KEY.key() + " " + tls.key() + ": " + e.getMessage(), e);
        }
    }

    /** How this node calls another's gRPC port: trusting {@code tls}'s CA file, or plaintext without {@code tls}. */
    static ChannelCredentials channel(GrpcTls tls) {
        if (tls == null) {
            return InsecureChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder().trustManager(tls.ca().toFile()).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot use " + ConfigKey.GRPC_TLS_CA.key() + " " + tls.ca() + ": "
                    + e.getMessage(), e);
        }
    }
}

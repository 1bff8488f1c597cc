package io.dledger.broker.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class LocalClientsTest {
    @TempDir
    Path dir;

    @Test
    void clientsOfALocalClusterTrustItsCertificateAndSendItsFirstToken() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "# local\nthe-local-token-012345\nanother-token-0123\n");
        NodeAccess plain = LocalClients.access(Map.of(), name -> null);
        assertThat(plain.trusted()).isNull();
        assertThat(plain.token()).isNull();

        NodeAccess set = LocalClients.access(Map.of("grpc.tls.cert", "/c/node.pem", "grpc.tls.key",
                "/c/node.key", "grpc.auth.tokens.file", tokens.toString()), name -> null);
        assertThat(set.trusted()).isEqualTo(Path.of("/c/node.pem"));
        assertThat(set.token()).isEqualTo("the-local-token-012345");

        NodeAccess withCa = LocalClients.access(Map.of("grpc.tls.cert", "/c/node.pem", "grpc.tls.ca",
                "/c/ca.pem"), name -> null);
        assertThat(withCa.trusted()).as("the CA the nodes trust").isEqualTo(Path.of("/c/ca.pem"));

        NodeAccess fromEnv = LocalClients.access(Map.of(), name -> name.equals("DLEDGER_GRPC_TLS_CERT")
                ? "/env/node.pem" : null);
        assertThat(fromEnv.trusted()).as("what the nodes inherit").isEqualTo(Path.of("/env/node.pem"));
        assertThat(LocalClients.access(Map.of("grpc.tls.cert", "/set/node.pem"), name -> name.equals(
                "DLEDGER_GRPC_TLS_CERT") ? "/env/node.pem" : null).trusted())
                .as("the cluster's settings win, as on the nodes").isEqualTo(Path.of("/set/node.pem"));
    }

    @Test
    void theOptionsThatReachAClusterOutsideTheDefaultDirectoryNameItsCertificateAndTokenFile() {
        assertThat(LocalClients.clientOptions("h:1,h:2", Map.of(), name -> null)).isEqualTo("-s h:1,h:2");
        assertThat(LocalClients.clientOptions("h:1", Map.of("grpc.tls.cert", "/c/node.pem", "grpc.tls.key",
                "/c/node.key", "grpc.auth.tokens.file", "/c/tokens"), name -> null))
                .isEqualTo("-s h:1 --tls-ca /c/node.pem --token-file /c/tokens");
        assertThat(LocalClients.clientOptions("h:1", Map.of("grpc.tls.cert", "/c/node.pem", "grpc.tls.ca",
                "/c/ca.pem"), name -> null)).isEqualTo("-s h:1 --tls-ca /c/ca.pem");
        assertThat(LocalClients.clientOptions("h:1", Map.of("grpc.tls.cert", "/my certs/it's.pem"), name -> null))
                .as("pasted into a shell as one word each").isEqualTo("-s h:1 --tls-ca '/my certs/it'\\''s.pem'");
    }
}

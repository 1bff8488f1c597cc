package io.dledger.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class NodeConfigLoaderTest {
    private static final String PEERS = "n1=127.0.0.1:7001:9001,n2=127.0.0.1:7002:9002,n3=127.0.0.1:7003:9003";

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "node.id=n1\npeers=" + PEERS + "\nelection.timeout.ms=900\nraft.sync=false\n"
                + "pull.max.messages=77\nraft.rpc.inline=false\nsnapshot.log.bytes=0\n");
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.ELECTION_TIMEOUT_MS, "700");
        NodeConfig c = NodeConfigLoader.load(flags, Map.of("DLEDGER_NODE_ID", "n2", "DLEDGER_ELECTION_TIMEOUT_MS",
                "800", "DLEDGER_DATA_DIR", dir.resolve("d").toString()), file);
        assertThat(c.nodeId()).isEqualTo("n2");
        assertThat(c.electionTimeoutMs()).isEqualTo(700);
        assertThat(c.raftSync()).isFalse();
        assertThat(c.raftRpcInline()).isFalse();
        assertThat(c.snapshotLogBytes()).isZero();
        assertThat(c.pullMaxMessages()).isEqualTo(77);
        assertThat(c.self().grpcPort()).isEqualTo(9002);
        assertThat(c.peers()).hasSize(3);
        assertThat(c.dataDir()).isEqualTo(dir.resolve("d"));
        assertThat(c.storeDir()).isEqualTo(dir.resolve("d/store"));
    }

    private static NodeConfig withTls(Map<ConfigKey, String> tls) {
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.NODE_ID, "n1");
        flags.put(ConfigKey.PEERS, PEERS);
        flags.putAll(tls);
        return NodeConfigLoader.load(flags, Map.of(), null);
    }

    /** A test certificate and key (self-signed, for 127.0.0.1), from the test resources. */
    private static Path resource(String name) throws Exception {
        return Path.of(NodeConfigLoaderTest.class.getResource("/tls/" + name).toURI());
    }

    @Test
    void aMissingConfigFileIsNamedOnceWithTheReason(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> NodeConfigLoader.load(Map.of(), Map.of(), missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith("- cannot read config file " + missing + ": no such file");
    }

    @Test
    void tlsNeedsACertificateWithItsKeyAndUsableFiles(@TempDir Path dir) throws Exception {
        Path cert = resource("node.pem");
        Path key = resource("node.key");
        assertThat(withTls(Map.of()).grpcTls()).as("plaintext by default").isNull();
        GrpcTls tls = withTls(Map.of(ConfigKey.GRPC_TLS_CERT, cert.toString(), ConfigKey.GRPC_TLS_KEY,
                key.toString())).grpcTls();
        assertThat(tls.cert()).isEqualTo(cert);
        assertThat(tls.ca()).as("the certificate itself, by default").isEqualTo(cert);
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.GRPC_TLS_CERT, cert.toString())))
                .hasMessageContaining("grpc.tls.cert and grpc.tls.key go together");
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.GRPC_TLS_CA, cert.toString())))
                .hasMessageContaining("grpc.tls.ca needs grpc.tls.cert and grpc.tls.key");
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.GRPC_TLS_CERT, cert.toString(), ConfigKey.GRPC_TLS_KEY,
                key.toString(), ConfigKey.GRPC_TLS_CA, dir.resolve("missing.pem").toString())))
                .hasMessageContaining("grpc.tls.ca " + dir.resolve("missing.pem") + ": no such file");
        // what gRPC would only find when the server starts: every problem named with its setting
        Path notPem = Files.writeString(dir.resolve("not.pem"), "not a certificate");
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.GRPC_TLS_CERT, key.toString(), ConfigKey.GRPC_TLS_KEY,
                resource("node-pkcs1.key").toString(), ConfigKey.GRPC_TLS_CA, notPem.toString())))
                .hasMessageContaining("grpc.tls.cert " + key + " is not a PEM certificate file")
                .hasMessageContaining("grpc.tls.key " + resource("node-pkcs1.key")
                        + " holds no unencrypted PKCS#8 key").hasMessageContaining("openssl pkcs8 -topk8")
                .hasMessageContaining("grpc.tls.ca " + notPem);
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.GRPC_TLS_CERT, resource("node.pem").toString(),
                ConfigKey.GRPC_TLS_KEY, resource("other.key").toString())))
                .hasMessageContaining("grpc.tls.key " + resource("other.key") + " is not the key of grpc.tls.cert "
                        + resource("node.pem") + "'s first certificate");
    }

    @Test
    void raftTlsTakesTheGrpcCertificateAndNeedsIt() throws Exception {
        Map<ConfigKey, String> files = Map.of(ConfigKey.GRPC_TLS_CERT, resource("node.pem").toString(),
                ConfigKey.GRPC_TLS_KEY, resource("node.key").toString());
        assertThat(withTls(files).raftTls()).as("plaintext by default, TLS on gRPC or not").isFalse();
        Map<ConfigKey, String> both = new EnumMap<>(files);
        both.put(ConfigKey.RAFT_TLS, "true");
        assertThat(withTls(both).raftTls()).isTrue();
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.RAFT_TLS, "true")))
                .hasMessageContaining("raft.tls needs grpc.tls.cert and grpc.tls.key");
        assertThatThrownBy(() -> withTls(Map.of(ConfigKey.RAFT_TLS, "yes")))
                .hasMessageContaining("raft.tls");
    }

    @Test
    void defaultsApply() {
        NodeConfig c = NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS), Map.of(), null);
        assertThat(c.electionTimeoutMs()).isEqualTo(500);
        assertThat(c.messageMaxBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(c.dataDir()).isEqualTo(Path.of("data/n3").toAbsolutePath());
        assertThat(c.raftLogFormat()).isEqualTo(RaftLogFormat.SEGMENTS);
        assertThat(c.raftLogSegmentBytes()).isEqualTo(64L << 20);
        assertThat(c.raftRpcInline()).isTrue();
        assertThat(c.snapshotLogBytes()).isEqualTo(2L << 30);
        assertThat(c.metricsGroupLagMax()).isEqualTo(1000);
    }

    @Test
    void theHttpPortsTlsAndTokenNeedTheFilesTheyUse() throws Exception {
        assertThatThrownBy(() -> NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS,
                ConfigKey.HTTP_TLS, "true", ConfigKey.HTTP_AUTH, "true"), Map.of(), null))
                .hasMessageContaining("http.tls needs grpc.tls.cert and grpc.tls.key")
                .hasMessageContaining("http.auth needs grpc.auth.tokens.file");
        NodeConfig c = NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS,
                ConfigKey.GRPC_TLS_CERT, resource("node.pem").toString(), ConfigKey.GRPC_TLS_KEY,
                resource("node.key").toString()), Map.of("DLEDGER_HTTP_TLS", "true"), null);
        assertThat(c.httpTls()).isTrue();
        assertThat(c.httpAuth()).isFalse();
        assertThat(c.metricsUrl()).isEqualTo("https://127.0.0.1:9103/metrics");
    }

    @Test
    void theGroupLagMetricsCanBeTurnedOffButNotGivenANegativeCap() {
        assertThat(NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS),
                Map.of("DLEDGER_METRICS_GROUP_LAG_MAX", "0"), null).metricsGroupLagMax()).isZero();
        assertThatThrownBy(() -> NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS,
                ConfigKey.METRICS_GROUP_LAG_MAX, "-1"), Map.of(), null))
                .hasMessageContaining("metrics.group.lag.max must be between 0 and 10000");
    }

    @Test
    void theHttpPortListensWhereTheGrpcPortDoesUnlessToldOtherwise() {
        NodeConfig c = NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS,
                ConfigKey.GRPC_BIND_HOST, "10.1.2.3"), Map.of(), null);
        assertThat(c.httpBindHost()).isEqualTo("10.1.2.3");
        assertThat(c.metricsUrl()).as("the host in peers").isEqualTo("http://127.0.0.1:9103/metrics");
        NodeConfig local = NodeConfigLoader.load(Map.of(ConfigKey.NODE_ID, "n3", ConfigKey.PEERS, PEERS),
                Map.of("DLEDGER_HTTP_BIND_HOST", "127.0.0.1"), null);
        assertThat(local.grpcBindHost()).isEqualTo("0.0.0.0");
        assertThat(local.httpBindHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.NODE_ID, "n9");
        flags.put(ConfigKey.PEERS, "n1=127.0.0.1:7001:9001,n1=127.0.0.1:7002:9002,bad");
        flags.put(ConfigKey.ELECTION_TIMEOUT_MS, "fast");
        flags.put(ConfigKey.MESSAGE_MAX_BYTES, "0");
        flags.put(ConfigKey.RAFT_LOG_STORAGE, "leveldb");
        flags.put(ConfigKey.SNAPSHOT_LOG_BYTES, "1000");
        assertThatThrownBy(() -> NodeConfigLoader.load(flags, Map.of(), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'bad' is not of the form id=host:raftPort:grpcPort")
                .hasMessageContaining("peer id 'n1' appears twice")
                .hasMessageContaining("node id 'n9' is not among the peers")
                .hasMessageContaining("election.timeout.ms must be a whole number")
                .hasMessageContaining("message.max.bytes must be between")
                .hasMessageContaining("raft.log.storage must be segments or rocksdb, not 'leveldb'")
                .hasMessageContaining("snapshot.log.bytes (1000) must be 0 or at least raft.log.segment.bytes "
                        + "(67108864)");
    }

    /** A message is one store record (at most 64 MiB with its header, key, tags and properties). */
    @Test
    void theLargestMessageLimitLeavesRoomForTheRecordAroundTheBody() {
        Map<ConfigKey, String> flags = new EnumMap<>(ConfigKey.class);
        flags.put(ConfigKey.NODE_ID, "n1");
        flags.put(ConfigKey.PEERS, PEERS);
        flags.put(ConfigKey.MESSAGE_MAX_BYTES, Integer.toString(64 * 1024 * 1024));
        assertThatThrownBy(() -> NodeConfigLoader.load(flags, Map.of(), null))
                .hasMessageContaining("message.max.bytes must be between 1 and 66060288");
        flags.put(ConfigKey.MESSAGE_MAX_BYTES, Integer.toString(NodeConfigLoader.MAX_MESSAGE_BYTES));
        flags.put(ConfigKey.BATCH_MAX_BYTES, Integer.toString(64 * 1024 * 1024));
        assertThat(NodeConfigLoader.load(flags, Map.of(), null).messageMaxBytes()).isEqualTo(66060288);
        assertThat(NodeConfigLoader.MAX_MESSAGE_BYTES + 256 * 1024)
                .isLessThan(io.dledger.broker.store.RecordCodec.MAX_RECORD_SIZE);
    }

    @Test
    void requiredSettingsAreNamedWithTheirFlagAndVariable() {
        assertThatThrownBy(() -> NodeConfigLoader.load(Map.of(), Map.of(), null))
                .hasMessageContaining("--node-id").hasMessageContaining("DLEDGER_NODE_ID")
                .hasMessageContaining("--peers");
    }

    @Test
    void unknownKeysInTheFileAreRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "node.id=n1\npeers=" + PEERS + "\nelection.timeout=5\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(Map.of(), Map.of(), file))
                .hasMessageContaining("unknown setting 'election.timeout'")
                .hasMessageContaining("(did you mean election.timeout.ms?)");
    }
}

package io.dledger.it;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import io.dledger.broker.local.PortAllocator;
import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import io.dledger.client.NodeRole;
import io.dledger.client.NodeView;
import io.dledger.client.ReplicaDigest;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;

/**
 * The three-node cluster of {@code deploy/docker-compose.yml}, started with the local docker-compose on
 * free host ports, and the failure scenarios the Docker tests share: kill a container, cut it off the
 * network and reconnect it. Node {@code nX} runs as service {@code dledgerX}.
 */
final class DockerCluster implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final DockerComposeContainer<?> compose;
    private final Map<String, Integer> grpcPorts = new HashMap<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private final DLedgerClient client;

    DockerCluster() {
        Map<String, String> env = new HashMap<>();
        env.put("DLEDGER_BASE_IMAGE", System.getenv().getOrDefault("DLEDGER_BASE_IMAGE", "local/jre17"));
        PortAllocator ports = new PortAllocator(Set.of()); // host ports, free again while a container is down
        for (int i = 1; i <= 3; i++) {
            grpcPorts.put("n" + i, ports.next());
            httpPorts.put("n" + i, ports.next());
            env.put("DLEDGER_N" + i + "_GRPC_PORT", Integer.toString(grpcPorts.get("n" + i)));
            env.put("DLEDGER_N" + i + "_HTTP_PORT", Integer.toString(httpPorts.get("n" + i)));
        }
        compose = new DockerComposeContainer<>(new File("../deploy/docker-compose.yml"))
                .withLocalCompose(true).withBuild(true).withPull(false).withEnv(env)
                .withStartupTimeout(Duration.ofMinutes(5));
        compose.start();
        client = DLedgerClient.builder().seeds(seeds()).operationTimeout(Duration.ofSeconds(30)).build();
        for (String node : grpcPorts.keySet()) {
            awaitReady(node);
        }
    }

    String seeds() {
        return String.join(",", grpcPorts.values().stream().map(p -> "127.0.0.1:" + p).toList());
    }

    String seedOf(String node) {
        return "127.0.0.1:" + grpcPorts.get(node);
    }

    DLedgerClient client() {
        return client;
    }

    /** Waits for the node's /health/ready (a known leader, caught up). */
    void awaitReady(String node) {
        await("node " + node + " ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + httpPorts.get(node) + "/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
    }

    /** The leader the reachable nodes agree on. */
    String awaitLeader(String notThis) {
        return await("a leader").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> agreedLeader(notThis), Optional::isPresent).orElseThrow();
    }

    private Optional<String> agreedLeader(String notThis) {
        ClusterView v = client.admin().describeCluster();
        List<NodeView> up = v.nodes().stream().filter(NodeView::reachable).toList();
        Optional<String> leader = up.stream().filter(n -> n.role() == NodeRole.LEADER).map(NodeView::id)
                .filter(id -> !id.equals(notThis)).findFirst();
        return leader.filter(id -> up.stream().filter(n -> id.equals(n.leaderId())).count() >= 2);
    }

    private String containerId(String node) {
        String service = "dledger" + node.substring(1);
        Optional<ContainerState> c = compose.getContainerByServiceName(service + "_1");
        if (c.isEmpty()) {
            c = compose.getContainerByServiceName(service);
        }
        return c.orElseThrow(() -> new IllegalStateException("no container for " + service)).getContainerId();
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** {@code docker kill} (SIGKILL). */
    void kill(String node) {
        docker().killContainerCmd(containerId(node)).exec();
    }

    /** Starts the node's container again unless its restart policy already did. */
    void ensureRunning(String node) {
        String id = containerId(node);
        Boolean running = docker().inspectContainerCmd(id).exec().getState().getRunning();
        if (!Boolean.TRUE.equals(running)) {
            docker().startContainerCmd(id).exec();
        }
    }

    private String networkOf(String id) {
        return docker().inspectContainerCmd(id).exec().getNetworkSettings().getNetworks().keySet().stream()
                .filter(n -> n.endsWith("_dledger")).findFirst()
                .orElseThrow(() -> new IllegalStateException("container " + id + " is on no dledger network"));
    }

    /** Cuts the node off the cluster network; returns the network, for {@link #reconnect}. */
    String disconnect(String node) {
        String id = containerId(node);
        String network = networkOf(id);
        docker().disconnectFromNetworkCmd().withNetworkId(network).withContainerId(id).withForce(true).exec();
        return network;
    }

    void reconnect(String node, String network) {
        String service = "dledger" + node.substring(1);
        docker().connectToNetworkCmd().withNetworkId(network).withContainerId(containerId(node))
                .withContainerNetwork(new ContainerNetwork().withAliases(service)).exec();
    }

    /** Waits until all three nodes report the same per-queue digests of {@code topic}. */
    List<ReplicaDigest> awaitIdenticalReplicas(String topic) {
        return await("identical replicas").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    List<ReplicaDigest> out = new ArrayList<>();
                    for (String node : List.of("n1", "n2", "n3")) {
                        out.add(client.admin().queueDigests(node, topic));
                    }
                    return out;
                }, ds -> ds.stream().map(d -> d.queues().toString()).distinct().count() == 1);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            compose.stop();
        }
    }
}

package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NodeDirectoryTest {

    private final NodeDirectory directory = new NodeDirectory(List.of("seed-a:1", "seed-b:1"), address -> {
        throw new AssertionError("no channel expected");
    });

    private static NodeRef ref(String id, String address) {
        return NodeRef.newBuilder().setId(id).setGrpcAddress(address).build();
    }

    private static NodeStatus status(NodeRef self, NodeRef... peers) {
        return NodeStatus.newBuilder().setSelf(self).addAllPeers(List.of(peers)).build();
    }

    @Test
    void theSeedThatAnsweredAsANodeWinsOverItsAdvertisedAddress() {
        directory.learn("seed-a:1", status(ref("n1", "adv-1:7"), ref("n1", "adv-1:7"), ref("n2", "adv-2:7")));
        assertThat(directory.addressOf("n1")).contains("seed-a:1");
        assertThat(directory.addressOf("n2")).contains("adv-2:7");

        directory.learn("seed-b:1", status(ref("n2", "adv-2:7")));
        directory.learn("adv-1:7", status(ref("n1", "adv-1:7"), ref("n2", "adv-2:7")));
        assertThat(directory.addressOf("n1")).contains("seed-a:1");
        assertThat(directory.addressOf("n2")).contains("seed-b:1");
        assertThat(directory.addressOf(ref("n2", "elsewhere:1"))).contains("seed-b:1");
        assertThat(directory.addressOf(ref("n9", "n9:1"))).contains("n9:1");
        assertThat(directory.knownNodes()).containsEntry("n1", "seed-a:1").containsEntry("n2", "seed-b:1");
        assertThat(directory.unmappedSeeds()).isEmpty();
    }

    @Test
    void aSeedThatNowAnswersAsAnotherNodeMovesToIt() {
        directory.learn("seed-a:1", status(ref("n1", "adv-1:7")));
        directory.learn("seed-a:1", status(ref("n3", "adv-3:7")));
        assertThat(directory.addressOf("n1")).contains("adv-1:7");
        assertThat(directory.addressOf("n3")).contains("seed-a:1");
        assertThat(directory.unmappedSeeds()).containsExactly("seed-b:1");
    }

    @Test
    void probeAddressesAreTheSeedsPlusEveryKnownNode() {
        directory.learn("seed-a:1", status(ref("n1", "adv-1:7"), ref("n2", "adv-2:7")));
        assertThat(directory.probeAddresses()).containsExactly("seed-a:1", "seed-b:1", "adv-2:7");
    }

    @Test
    void idsWithoutAddressAreNotRecorded() {
        directory.learn(NodeRef.newBuilder().setId("n5").build());
        assertThat(directory.knownNodes()).doesNotContainKey("n5");
    }
}

package io.dledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.proto.NodeRef;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.Role;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
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

    private static NodeStatus leader(long term, NodeRef self, NodeRef... peers) {
        return status(self, peers).toBuilder().setRole(Role.LEADER).setTerm(term).build();
    }

    @Test
    void nodesTheLeaderNoLongerListsAreForgottenButNotForAnOlderLeader() {
        NodeRef n1 = ref("n1", "adv-1:7");
        NodeRef n2 = ref("n2", "adv-2:7");
        NodeRef n3 = ref("n3", "adv-3:7");
        NodeRef n4 = ref("n4", "adv-4:7");
        directory.learn("seed-a:1", leader(3, n1, n1, n2, n3, n4));
        assertThat(directory.knownNodes()).containsOnlyKeys("n1", "n2", "n3", "n4");

        directory.learn("adv-2:7", leader(5, n2, n1, n2, n3)); // n4 was removed
        assertThat(directory.knownNodes()).containsOnlyKeys("n1", "n2", "n3");
        assertThat(directory.probeAddresses()).doesNotContain("adv-4:7");

        directory.learn("seed-a:1", leader(3, n1, n1, n2, n4)); // deposed, does not know it yet: prunes nothing
        assertThat(directory.knownNodes()).containsOnlyKeys("n1", "n2", "n3", "n4");
        directory.learn("adv-2:7", leader(5, n2, n1, n2, n3));
        assertThat(directory.knownNodes()).containsOnlyKeys("n1", "n2", "n3");
        assertThat(directory.addressOf("n1")).contains("seed-a:1");

        directory.learn("adv-3:7", status(n3, n1, n2, n3, n4)); // a follower's list never prunes
        assertThat(directory.knownNodes()).containsKey("n4");
    }

    @Test
    void aLateAnswerOfTheSameLeaderFromBeforeAnAddForgetsNothing() {
        NodeRef n1 = ref("n1", "adv-1:7");
        NodeRef n4 = ref("n4", "adv-4:7");
        directory.learn("adv-1:7", leader(2, n1, n1, n4).toBuilder().setCommitIndex(50).build()); // after the add
        directory.learn("adv-1:7", leader(2, n1, n1).toBuilder().setCommitIndex(40).build()); // sent before it
        assertThat(directory.knownNodes()).containsKey("n4");
        directory.learn("adv-1:7", leader(2, n1, n1).toBuilder().setCommitIndex(60).build()); // removed again
        assertThat(directory.knownNodes()).doesNotContainKey("n4");
    }

    @Test
    void aSeedThatAnswersAsANodeNotYetAMemberIsKept() {
        NodeRef n1 = ref("n1", "adv-1:7");
        directory.learn("seed-b:1", status(ref("n5", "adv-5:7"), n1)); // about to join
        directory.learn("adv-1:7", leader(2, n1, n1));
        assertThat(directory.addressOf("n5")).contains("seed-b:1");
    }

    @Test
    void theChannelOfAForgottenNodeIsShutDownUnlessItsAddressIsStillUsed() {
        java.util.Map<String, ManagedChannel> made = new java.util.HashMap<>();
        NodeDirectory dir = new NodeDirectory(List.of("seed-a:1"), address -> {
            ManagedChannel ch = ManagedChannelBuilder.forTarget(address).usePlaintext().build(); // connects lazily
            made.put(address, ch);
            return ch;
        });
        try {
            NodeRef n1 = ref("n1", "adv-1:7");
            dir.learn("seed-a:1", leader(2, n1, n1, ref("n4", "adv-4:7"), ref("n5", "adv-5:7")));
            ManagedChannel removed = dir.channel("adv-4:7");
            dir.channel("adv-5:7");
            dir.channel("seed-a:1");
            // n4 is removed; n5 is replaced by n6 on the same address
            dir.learn("seed-a:1", leader(3, n1, n1, ref("n6", "adv-5:7")));

            assertThat(removed.isShutdown()).isTrue();
            assertThat(made.get("adv-5:7").isShutdown()).isFalse();
            assertThat(made.get("seed-a:1").isShutdown()).isFalse();
            assertThat(dir.channel("adv-5:7")).isSameAs(made.get("adv-5:7"));
            assertThat(dir.channel("adv-4:7")).isNotSameAs(removed); // asked for again: a fresh one
        } finally {
            dir.close();
        }
    }

    /** A channel stuck in TRANSIENT_FAILURE that counts the wake-ups it gets. */
    private static final class FailedChannel extends ManagedChannel {
        final java.util.concurrent.atomic.AtomicInteger resets = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public io.grpc.ConnectivityState getState(boolean requestConnection) {
            return io.grpc.ConnectivityState.TRANSIENT_FAILURE;
        }

        @Override
        public void resetConnectBackoff() {
            resets.incrementAndGet();
        }

        @Override
        public ManagedChannel shutdown() {
            return this;
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public ManagedChannel shutdownNow() {
            return this;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        @Override
        public <Q, R> io.grpc.ClientCall<Q, R> newCall(io.grpc.MethodDescriptor<Q, R> method,
                                                       io.grpc.CallOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String authority() {
            return "dead:1";
        }
    }

    @Test
    void anAddressWhoseNameDoesNotResolveIsWokenUpAtMostOncePerGapARefusedOneEveryTime() {
        FailedChannel refused = new FailedChannel();
        FailedChannel unresolved = new FailedChannel();
        NodeDirectory dir = new NodeDirectory(List.of("refused:1", "nowhere:1"),
                address -> address.startsWith("refused") ? refused : unresolved);
        dir.channel("refused:1");
        dir.channel("nowhere:1");
        dir.noteReachability("refused:1", Errors.from(io.grpc.Status.UNAVAILABLE
                .withCause(new java.net.ConnectException("Connection refused")).asRuntimeException()));
        dir.noteReachability("nowhere:1", Errors.from(io.grpc.Status.UNAVAILABLE
                .withCause(new java.net.UnknownHostException("nowhere")).asRuntimeException()));
        for (int i = 0; i < 100; i++) { // a probe every 25 ms would do this in 2.5 s
            dir.wakeUp("refused:1");
            dir.wakeUp("nowhere:1");
        }
        assertThat(refused.resets).hasValue(100); // a node that comes back is used at once
        assertThat(unresolved.resets).hasValue(0); // its last probe was the wake-up
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
            dir.wakeUp("nowhere:1");
            return unresolved.resets.get() == 1; // the next one after the gap
        });
        dir.noteReachability("nowhere:1", null); // it answered: no limit any more
        dir.wakeUp("nowhere:1");
        dir.wakeUp("nowhere:1");
        assertThat(unresolved.resets).hasValue(3);
        dir.close();
    }
}

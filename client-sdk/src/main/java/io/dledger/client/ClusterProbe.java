package io.dledger.client;

import io.dledger.proto.AdminServiceGrpc;
import io.dledger.proto.NodeStatus;
import io.dledger.proto.NodeStatusRequest;
import io.dledger.proto.Role;
import io.grpc.CallOptions;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Asks nodes for their {@code GetNodeStatus} in parallel: first the seeds and every address the
 * {@link NodeDirectory} knows, then (once every seed answered or failed) any address learned from the answers
 * (peers, leaders), until no new address turns up. Every answer is fed to the directory. Also holds the rule that picks
 * the leader from a set of answers.
 *
 * <p>Thread-safe: each run keeps its own state under its own lock.
 */
final class ClusterProbe {

    /** Upper bound on addresses asked in one run (guards against nodes advertising garbage). */
    private static final int MAX_ADDRESSES = 64;

    /** One node's answer, or why it gave none. Exactly one of {@code status} and {@code error} is set. */
    record Answer(String address, NodeStatus status, DLedgerException error) {
        boolean ok() {
            return status != null;
        }
    }

    /** A leader picked from answers: its id, the address that answered as it, and its term. */
    record LeaderChoice(String id, String address, long term) {
    }

    private final NodeDirectory directory;
    private final ClientConfig config;

    ClusterProbe(NodeDirectory directory, ClientConfig config) {
        this.directory = directory;
        this.config = config;
    }

    /**
     * Asks every reachable address.
     *
     * @param perCallTimeoutNanos deadline of each call
     * @param stopAtLeader        complete as soon as a majority answered and the answers settle on a leader,
     *                            instead of waiting for slow or unreachable nodes
     * @return every answer gathered (never fails)
     */
    CompletableFuture<List<Answer>> run(long perCallTimeoutNanos, boolean stopAtLeader) {
        Run run = new Run(perCallTimeoutNanos, stopAtLeader);
        run.startNewAddresses();
        run.maybeComplete();
        return run.done;
    }

    /**
     * The leader according to {@code answers}: a node that itself answered as {@link Role#LEADER} in the highest
     * term any node reported. A self-declared leader with a lower term than another node's (a deposed leader that
     * has not noticed yet) is not chosen; neither is a leader only named by followers but not reachable.
     */
    static Optional<LeaderChoice> chooseLeader(List<Answer> answers) {
        long maxTerm = answers.stream().filter(Answer::ok).mapToLong(a -> a.status().getTerm()).max().orElse(-1);
        return answers.stream()
                .filter(a -> a.ok() && a.status().getRole() == Role.LEADER && a.status().getTerm() == maxTerm
                        && !a.status().getSelf().getId().isEmpty())
                .min(Comparator.comparing(a -> a.status().getSelf().getId()))
                .map(a -> new LeaderChoice(a.status().getSelf().getId(), a.address(), maxTerm));
    }

    /** A one-line account of {@code answers} for error messages, e.g. {@code n1: FOLLOWER term 3, h:1: ...}. */
    static String summarize(List<Answer> answers) {
        if (answers.isEmpty()) {
            return "no node answered";
        }
        StringBuilder sb = new StringBuilder();
        for (Answer a : answers) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            if (a.ok()) {
                NodeStatus s = a.status();
                sb.append(s.getSelf().getId()).append(": ").append(s.getRole()).append(" term ").append(s.getTerm());
                if (s.hasLeader() && !s.getLeader().getId().isEmpty()) {
                    sb.append(" leader ").append(s.getLeader().getId());
                }
            } else {
                String why = a.error().getMessage();
                sb.append(a.address()).append(": ").append(why.length() > 120 ? why.substring(0, 120) + "..." : why);
            }
        }
        return sb.toString();
    }

    /** State of one probe run. */
    private final class Run {
        private final long timeoutNanos;
        private final boolean stopAtLeader;
        private final CompletableFuture<List<Answer>> done = new CompletableFuture<>();
        private final Set<String> started = new HashSet<>();
        private final List<Answer> answers = new ArrayList<>();
        private final Set<String> seeds = Set.copyOf(directory.seeds());
        private int pending;
        private int pendingSeeds;

        Run(long timeoutNanos, boolean stopAtLeader) {
            this.timeoutNanos = timeoutNanos;
            this.stopAtLeader = stopAtLeader;
        }

        void startNewAddresses() {
            List<String> toStart = new ArrayList<>();
            synchronized (this) {
                for (String address : directory.probeAddresses()) {
                    boolean seed = seeds.contains(address);
                    // Other addresses wait for every seed's answer: a seed may turn out to be that node, and its
                    // advertised address may not be reachable from here (port mapping, NAT).
                    if (started.size() >= MAX_ADDRESSES || (!seed && pendingSeeds > 0)) {
                        continue;
                    }
                    if (started.add(address)) {
                        pending++;
                        pendingSeeds += seed ? 1 : 0;
                        toStart.add(address);
                    }
                }
            }
            toStart.forEach(this::ask);
        }

        private void ask(String address) {
            directory.wakeUp(address);
            CallOptions options = config.callOptions(timeoutNanos);
            try {
                ClientCalls.asyncUnaryCall(
                        directory.channel(address).newCall(AdminServiceGrpc.getGetNodeStatusMethod(), options),
                        NodeStatusRequest.getDefaultInstance(), new StreamObserver<>() {
                            private NodeStatus status;

                            @Override
                            public void onNext(NodeStatus value) {
                                status = value;
                            }

                            @Override
                            public void onError(Throwable t) {
                                onAnswer(new Answer(address, null, Errors.from(t)));
                            }

                            @Override
                            public void onCompleted() {
                                onAnswer(new Answer(address, status, null));
                            }
                        });
            } catch (RuntimeException e) {
                onAnswer(new Answer(address, null, Errors.from(e)));
            }
        }

        private void onAnswer(Answer answer) {
            if (answer.ok()) {
                directory.learn(answer.address(), answer.status());
            }
            directory.noteReachability(answer.address(), answer.error());
            boolean seedsJustDone;
            synchronized (this) {
                answers.add(answer);
                pending--;
                boolean seed = seeds.contains(answer.address());
                pendingSeeds -= seed ? 1 : 0;
                seedsJustDone = seed && pendingSeeds == 0;
            }
            if (answer.ok() || seedsJustDone) {
                startNewAddresses();
            }
            maybeComplete();
        }

        void maybeComplete() {
            List<Answer> snapshot;
            synchronized (this) {
                if (done.isDone() || (pending > 0 && !(stopAtLeader && settled()))) {
                    return;
                }
                snapshot = List.copyOf(answers);
            }
            done.complete(snapshot);
        }

        /** A leader is chosen and a majority of the configuration answered, so no newer term can be missed. */
        private boolean settled() {
            int clusterSize = answers.stream().filter(Answer::ok).mapToInt(a -> a.status().getPeersCount())
                    .max().orElse(0);
            long okCount = answers.stream().filter(Answer::ok).count();
            return clusterSize > 0 && okCount >= clusterSize / 2 + 1 && chooseLeader(answers).isPresent();
        }
    }
}

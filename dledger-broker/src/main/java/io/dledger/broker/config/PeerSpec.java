package io.dledger.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One member of the Raft group as configured: its id, host, Raft port and gRPC port. Written as
 * {@code id=host:raftPort:grpcPort}; a peer list joins them with commas, e.g.
 * {@code n1=10.0.0.1:7001:9001,n2=10.0.0.2:7001:9001,n3=10.0.0.3:7001:9001}.
 */
public record PeerSpec(String id, String host, int raftPort, int grpcPort) {
    /** Longest host accepted: a DNS name's limit (the store keeps peers in length-prefixed records). */
    public static final int MAX_HOST_LENGTH = 253;
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern FORMAT = Pattern.compile("(" + ID.pattern() + ")=([^:=,\\s]{1," + MAX_HOST_LENGTH
            + "}):(\\d{1,5}):(\\d{1,5})");

    public String raftAddress() {
        return host + ":" + raftPort;
    }

    public String grpcAddress() {
        return host + ":" + grpcPort;
    }

    @Override
    public String toString() {
        return id + "=" + host + ":" + raftPort + ":" + grpcPort;
    }

    /** Parses a comma-separated peer list; every problem found is added to {@code problems}. */
    public static List<PeerSpec> parseList(String list, List<String> problems) {
        List<PeerSpec> peers = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            Matcher m = FORMAT.matcher(p);
            if (!m.matches()) {
                problems.add("peer '" + abbreviated(p) + "' is not of the form id=host:raftPort:grpcPort (an id of at "
                        + "most 64 letters, digits, '_', '.' or '-', a host of at most " + MAX_HOST_LENGTH
                        + " characters)");
                continue;
            }
            int raft = Integer.parseInt(m.group(3));
            int grpc = Integer.parseInt(m.group(4));
            if (raft < 1 || raft > 65535 || grpc < 1 || grpc > 65535) {
                problems.add("peer '" + p + "' has a port outside 1..65535");
                continue;
            }
            if (raft == grpc) {
                problems.add("peer '" + p + "' uses the same port for Raft and gRPC");
                continue;
            }
            peers.add(new PeerSpec(m.group(1), m.group(2), raft, grpc));
        }
        return peers;
    }

    private static String abbreviated(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "... (" + s.length() + " characters)";
    }
}

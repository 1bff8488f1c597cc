package io.dledger.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ClusterView} from the answers of one probe run and what the {@link NodeDirectory} knows: every
 * node of the configuration is listed, those that did not answer as unreachable with the reason. When the leader
 * answered, its peer list is the configuration: a node the client learned of earlier that is no longer in it (and
 * does not answer) is left out.
 *
 * <p>Stateless and thread-safe.
 */
final class ClusterViewAssembler {

    private ClusterViewAssembler() {
    }

    static ClusterView assemble(NodeDirectory directory, List<ClusterProbe.Answer> answers) {
        Map<String, ClusterProbe.Answer> okById = new HashMap<>();
        Map<String, ClusterProbe.Answer> byAddress = new HashMap<>();
        for (ClusterProbe.Answer a : answers) {
            byAddress.put(a.address(), a);
            if (a.ok() && !a.status().getSelf().getId().isEmpty()) {
                String id = a.status().getSelf().getId();
                // A node may answer at two addresses (seed and advertised): prefer the one the client uses.
                if (!okById.containsKey(id) || directory.addressOf(id).orElse("").equals(a.address())) {
                    okById.put(id, a);
                }
            }
        }
        String leaderId = ClusterProbe.chooseLeader(answers).map(ClusterProbe.LeaderChoice::id).orElse(null);
        java.util.Set<String> members = members(leaderId == null ? null : okById.get(leaderId));
        List<NodeView> nodes = new ArrayList<>();
        Map<String, String> known = directory.knownNodes();
        known.forEach((id, address) -> {
            ClusterProbe.Answer ok = okById.get(id);
            if (ok == null && members != null && !members.contains(id)) {
                return; // learned earlier, no longer a member (removed, or a failed add), and not answering
            }
            if (ok != null) {
                nodes.add(ProtoMapper.toView(id, ok.address(), ok.status()));
            } else {
                nodes.add(unreachable(id, address, reason(address, byAddress)));
            }
        });
        if (known.isEmpty()) {
            for (String seed : directory.unmappedSeeds()) {
                nodes.add(unreachable(null, seed, reason(seed, byAddress)));
            }
        }
        long term = answers.stream().filter(ClusterProbe.Answer::ok).mapToLong(a -> a.status().getTerm()).max()
                .orElse(0);
        return new ClusterView(withLag(nodes, leaderId, okById), leaderId, term);
    }

    /** The members as the answering leader lists them (itself and its peers); null without a leader's answer. */
    private static java.util.Set<String> members(ClusterProbe.Answer leader) {
        if (leader == null || leader.status().getPeersCount() == 0) {
            return null;
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        ids.add(leader.status().getSelf().getId());
        leader.status().getPeersList().forEach(p -> ids.add(p.getId()));
        return ids;
    }

    /** Fills in each node's lag from the leader's view of its followers. */
    private static List<NodeView> withLag(List<NodeView> nodes, String leaderId, Map<String, ClusterProbe.Answer> ok) {
        ClusterProbe.Answer leader = leaderId == null ? null : ok.get(leaderId);
        if (leader == null) {
            return nodes;
        }
        Map<String, Long> lag = new java.util.HashMap<>();
        leader.status().getFollowersList().forEach(f -> lag.put(f.getId(), f.getLagEntries()));
        lag.put(leaderId, 0L);
        List<NodeView> out = new ArrayList<>();
        for (NodeView n : nodes) {
            out.add(n.withLagEntries(lag.getOrDefault(n.id(), -1L)));
        }
        return out;
    }

    private static String reason(String address, Map<String, ClusterProbe.Answer> byAddress) {
        if (address == null) {
            return "no address known for this node";
        }
        ClusterProbe.Answer a = byAddress.get(address);
        if (a == null) {
            return "not asked (learned too late)";
        }
        if (a.ok()) {
            return "address " + address + " answered as node '" + a.status().getSelf().getId() + "'";
        }
        return a.error().getMessage();
    }

    private static NodeView unreachable(String id, String address, String error) {
        return new NodeView(id, address, NodeRole.UNREACHABLE, 0, null, 0, 0, 0, 0, 0, false, error, -1, null,
                null, List.of());
    }
}

package io.dledger.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Topic management and cluster inspection.
 *
 * <p>Topic operations go to the leader. Creating a topic is idempotent and retried like every idempotent operation
 * (creating a topic that already exists with the same queue count answers {@code created=false}); deleting one,
 * adding and removing a node and transferring leadership are retried only while the error proves they did not
 * run (no leader, {@code NOT_LEADER}, {@code BUSY}, a refused connection), never once they may have. Node operations
 * address one node by id ({@code null} = the current leader) and are retried against that same node on transient
 * errors, except {@link #takeSnapshot}, which is retried only when the error proves the node did not run it. Failures
 * are reported as {@link DLedgerException}.
 *
 * <p>Thread-safe: obtained from {@link DLedgerClient#admin()} and shared.
 */
public interface AdminClient {

    /**
     * Creates a topic with {@code queues} queues, or confirms it exists with that many.
     *
     * @param topic  topic name
     * @param queues number of queues, 1 to 1,024 (and within the nodes' {@code topics.max.queues} for all topics)
     * @return the topic, its queue count, and whether this call created it
     * @throws DLedgerException with {@link ErrorCode#TOPIC_EXISTS} when it exists with another
     *                          queue count
     */
    TopicCreated createTopic(String topic, int queues);

    /**
     * The topic's queues and their offsets, from the leader.
     *
     * @param topic topic name
     * @return its queue count and per-queue offset ranges
     * @throws DLedgerException with {@link ErrorCode#TOPIC_NOT_FOUND} when it does not exist
     */
    TopicDescription describeTopic(String topic);

    /**
     * A consumer group's live members and its progress on {@code topic}, from the leader: per queue the committed
     * offset, the offsets the queue holds, the lag and the member that owns it.
     *
     * @param group group name
     * @param topic topic name
     * @return the group's members and progress; a group nobody ever used has no members and nothing committed
     * @throws DLedgerException with {@link ErrorCode#TOPIC_NOT_FOUND} when the topic does not exist,
     *                          {@link ErrorCode#INVALID_ARGUMENT} for an invalid group name
     */
    GroupDescription describeGroup(String group, String topic);

    /**
     * Every consumer group that has committed offsets or live members, per topic, with its lag, from the leader
     * (at most 10,000; ask per topic beyond that).
     *
     * @param topic only this topic's groups, or {@code null} for every topic
     * @return the groups, sorted by group, then topic, and whether the list was cut
     * @throws DLedgerException with {@link ErrorCode#TOPIC_NOT_FOUND} when {@code topic} does not
     *                          exist
     */
    GroupListing listGroups(String topic);

    /**
     * Sets a consumer group's committed offsets on {@code topic} (rewinds it, or skips a backlog), through Raft like
     * every commit. Only while the group has no live member on the topic: stop its consumers first (a closed push
     * consumer leaves at once; one that died counts until its session ends, 4 s by default). A member that starts
     * while the reset (or a deletion) is in flight gets its queues once it is applied (or failed), and then starts
     * from the group's offsets. Retried only while the error proves the reset did not run ({@code NOT_LEADER}, {@code BUSY}, no
     * leader); a leader elected moments ago answers {@code BUSY} until it knows the members (about 4.5 s), which the
     * retries wait out within the client's operation timeout. A failure after an attempt that may have been applied
     * says so in its message: check with {@link #describeGroup} before resetting again.
     *
     * @param group            group name
     * @param topic            topic name
     * @param topicIncarnation the topic's incarnation the offsets were chosen for ({@link TopicDescription#incarnation},
     *                         {@code 0}: no check)
     * @param offsets          queue -> its new committed offset, 1 to 1,024 of them, each from 0 to the queue's end;
     *                         one below the queue's first kept offset makes the group start at its first message
     * @throws DLedgerException with {@link ErrorCode#GROUP_ACTIVE} while the group has live members,
     *                          {@link ErrorCode#OFFSET_OUT_OF_RANGE} for an offset below 0 or past a queue's end,
     *                          {@link ErrorCode#QUEUE_NOT_FOUND}, {@link ErrorCode#TOPIC_NOT_FOUND},
     *                          {@link ErrorCode#TOPIC_REPLACED} when the topic is newer than {@code topicIncarnation},
     *                          {@link ErrorCode#INVALID_ARGUMENT} for no or too many offsets, a negative incarnation or
     *                          an invalid group name, {@link ErrorCode#BUSY} when another reset or deletion of the
     *                          group's offsets on the topic is in flight or the leader settled no sooner than the operation timeout
     */
    void resetOffsets(String group, String topic, long topicIncarnation, Map<Integer, Long> offsets);

    /**
     * Deletes a consumer group's committed offsets on {@code topic}: a group no longer used stops showing in
     * {@link #listGroups} with its lag (a group used again starts as a new one, by its start policy). Only while the
     * group has no live member on the topic, and retried, like {@link #resetOffsets}.
     *
     * @param group group name
     * @param topic topic name
     * @return whether the group had committed offsets on the topic
     * @throws DLedgerException with {@link ErrorCode#GROUP_ACTIVE} while the group has live members,
     *                          {@link ErrorCode#TOPIC_NOT_FOUND}, {@link ErrorCode#INVALID_ARGUMENT} for an invalid
     *                          group name, {@link ErrorCode#BUSY} as for {@link #resetOffsets}
     */
    boolean deleteGroup(String group, String topic);

    /**
     * Every topic, from the leader.
     *
     * @return one description per topic
     */
    List<TopicDescription> listTopics();

    /**
     * Asks every known node for its status at once (each with the request timeout) and merges the answers. Nodes
     * that do not answer are listed as unreachable rather than failing the call. Also refreshes the client's idea
     * of the leader.
     *
     * @return every node of the configuration (reachable or not), the leader and the highest term seen
     */
    ClusterView describeCluster();

    /**
     * Status of one node, as that node reports it (its lag is -1: only the leader's view in
     * {@link #describeCluster()} has it).
     *
     * @param nodeId node id ({@code null} = the current leader)
     * @return its status
     */
    NodeView nodeStatus(String nodeId);

    /**
     * Per-queue digests of a topic's local store on one node, to compare replicas.
     *
     * @param nodeId node id ({@code null} = the current leader)
     * @param topic  topic name
     * @return the digests and the applied index they were computed at
     * @throws DLedgerException {@link ErrorCode#TOPIC_REPLACED} when the topic was deleted and created again while
     *                          the node read it: ask again
     */
    ReplicaDigest queueDigests(String nodeId, String topic);

    /**
     * Makes one node take a Raft snapshot now.
     *
     * @param nodeId node id ({@code null} = the current leader)
     * @return the log index the snapshot covers
     */
    long takeSnapshot(String nodeId);

    /**
     * Hands leadership to {@code toNodeId} ({@code null}: the least-behind follower, one whose disk has space first,
     * even when it is further behind: a transfer it cannot catch up for in an election timeout fails with
     * {@link ErrorCode#TIMEOUT}) and waits until it took over. Not retried once sent. Like {@link #addNode} and
     * {@link #removeNode}, it looks for a leader within the client's operation timeout, and once sent gives the
     * leader up to 120 s more to finish.
     *
     * @param toNodeId id of a node of the cluster, or {@code null} to let the leader choose; naming the current
     *                 leader changes nothing
     * @return the new leader's id
     * @throws DLedgerException with {@link ErrorCode#INVALID_ARGUMENT} for an id not in the cluster,
     *                          {@link ErrorCode#NODE_UNAVAILABLE} when the leader could not start the transfer,
     *                          {@link ErrorCode#TIMEOUT} when leadership did not move in time
     */
    String transferLeadership(String toNodeId);

    /**
     * Deletes a topic with its messages and its groups' offsets, on every node. Not retried once sent.
     *
     * @param topic topic name
     * @return true (the topic existed and is deleted)
     * @throws DLedgerException with {@link ErrorCode#TOPIC_NOT_FOUND} when it does not exist
     */
    boolean deleteTopic(String topic);

    /**
     * Adds a node to the Raft group. Start it first with {@code --set join=true} and the full peer list; this
     * returns once it caught up (by snapshot when needed) and counts in the majority. Not retried once sent.
     *
     * @param id       the new node's id (1 to 64 letters, digits, '_', '.' or '-'), not yet in the cluster
     * @param host     host of both its ports, as the other nodes and clients reach it (at most 253 characters)
     * @param raftPort its Raft port; its {@code host:raftPort} must not be in the cluster yet
     * @param grpcPort its gRPC port
     * @return the members' ids afterwards
     * @throws DLedgerException with {@link ErrorCode#INVALID_ARGUMENT} for an invalid node, or an id or Raft
     *                          address already in the cluster; {@link ErrorCode#NODE_UNAVAILABLE} when the node
     *                          could not be added (the membership is then left as it was)
     */
    List<String> addNode(String id, String host, int raftPort, int grpcPort);

    /**
     * Removes a node from the Raft group (stop its process afterwards). Not retried once sent.
     *
     * @param id id of a node of the cluster
     * @return the remaining members' ids
     * @throws DLedgerException with {@link ErrorCode#INVALID_ARGUMENT} for an id not in the cluster, for the
     *                          last node, or for the leader itself (hand leadership over first:
     *                          {@link #transferLeadership}); {@link ErrorCode#NO_LIVE_MAJORITY} when fewer than a
     *                          majority of the members, or of those that would be left, answer the leader
     */
    List<String> removeNode(String id);

    /**
     * The current leader as the client knows it, asking the cluster first when it knows none. Empty when no node
     * names a reachable leader (for example during an election).
     *
     * @return the leader's node id, if one is known
     */
    Optional<String> leaderId();
}

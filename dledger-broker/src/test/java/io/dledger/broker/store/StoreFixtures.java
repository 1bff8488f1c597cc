package io.dledger.broker.store;

import com.google.protobuf.ByteString;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.ProduceCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builders shared by the store tests. */
final class StoreFixtures {
    private StoreFixtures() {
    }

    static StoreConfig smallConfig(Path dir) {
        return StoreConfig.builder(dir).segmentBytes(8 * 1024).indexEntriesPerFile(16).build();
    }

    static ProduceCommand produce(String topic, long pid, long seq, int queue, String... bodies) {
        ProduceCommand.Builder b = ProduceCommand.newBuilder().setTopic(topic).setProducerId(pid).setSequence(seq);
        for (String body : bodies) {
            b.addMessages(CommandMessage.newBuilder().setQueue(queue).setKey("k-" + body).setTags("tag")
                    .putProperties("p", body).setBody(ByteString.copyFromUtf8(body)));
        }
        return b.build();
    }

    /** Applies one entry holding one produce command. */
    static ProduceResult apply(MessageStore store, long raftIndex, ProduceCommand cmd) {
        EntryWriter w = store.writer();
        w.begin(raftIndex, 1000 + raftIndex);
        ProduceResult r = w.produce(cmd);
        w.commit();
        return r;
    }

    /**
     * Applies retention in entry {@code raftIndex}, keeping the log from segment {@code segment} on; returns topic
     * {@code t}'s queue 0's new first offset.
     */
    static long retainFromSegment(MessageStore store, long raftIndex, int segment) {
        EntryWriter w = store.writer();
        w.begin(raftIndex, 5_000);
        w.retain(store.segmentInfos().get(segment).firstIndex());
        w.commit();
        return store.topic("t").minOffsets()[0];
    }

    static void createTopic(MessageStore store, long raftIndex, String topic, int queues) {
        EntryWriter w = store.writer();
        w.begin(raftIndex, 1000 + raftIndex);
        w.createTopic(topic, queues, 0, false);
        w.commit();
    }

    static List<String> bodies(MessageStore store, String topic, int queue) throws ReadRejectedException {
        List<String> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            List<MessageRecord> batch = store.read(topic, 0, queue, offset, 7, Long.MAX_VALUE).records();
            if (batch.isEmpty()) {
                return out;
            }
            for (MessageRecord m : batch) {
                out.add(StandardCharsets.UTF_8.decode(m.body()).toString());
                offset = m.offset() + 1;
            }
        }
    }
}

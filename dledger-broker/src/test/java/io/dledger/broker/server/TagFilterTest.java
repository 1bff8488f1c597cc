package io.dledger.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dledger.broker.store.EntryWriter;
import io.dledger.broker.store.MessageRecord;
import io.dledger.broker.store.MessageStore;
import io.dledger.broker.store.StoreConfig;
import io.dledger.proto.ErrorCode;
import io.dledger.proto.PullRequest;
import io.dledger.proto.internal.CommandMessage;
import io.dledger.proto.internal.ProduceCommand;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class TagFilterTest {
    @TempDir
    Path dir;
    private MessageStore store;

    /** Queue 0 of topic "t": 30 messages tagged "a", except offset 25, tagged "c", and offset 3, untagged. */
    @BeforeEach
    void open() {
        store = MessageStore.open(StoreConfig.builder(dir).build());
        EntryWriter w = store.writer();
        w.begin(1, 1);
        w.createTopic("t", 1, 0, false);
        w.commit();
        ProduceCommand.Builder b = ProduceCommand.newBuilder().setTopic("t");
        for (int i = 0; i < 30; i++) {
            b.addMessages(CommandMessage.newBuilder().setQueue(0).setTags(i == 25 ? "c" : i == 3 ? "" : "a")
                    .setBody(ByteString.copyFromUtf8("m" + i)));
        }
        w.begin(2, 2);
        w.produce(b.build());
        w.commit();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private TagFilter.Found read(long offset, int maxMessages, String... tags) throws Exception {
        PullRequest req = PullRequest.newBuilder().setTopic("t").setOffset(offset)
                .addAllTags(java.util.List.of(tags)).build();
        return TagFilter.of(req).read(store, req, maxMessages, Integer.MAX_VALUE);
    }

    private static long[] offsets(TagFilter.Found f) {
        return f.records().stream().mapToLong(MessageRecord::offset).toArray();
    }

    @Test
    void withoutTagsAPullIsOneRead() throws Exception {
        TagFilter.Found f = read(0, 4);
        assertThat(offsets(f)).containsExactly(0, 1, 2, 3);
        assertThat(f.nextOffset()).isEqualTo(4);
    }

    @Test
    void onlyMatchingMessagesAreAnsweredAndTheOthersPassedOver() throws Exception {
        TagFilter.Found f = read(0, 5, "a", "b");
        assertThat(offsets(f)).as("the untagged offset 3 passed over").containsExactly(0, 1, 2, 4);
        assertThat(f.nextOffset()).isEqualTo(5);
    }

    /** A rare tag: reads go on up to MAX_READS of the pull's size, and the answer's next offset is past them all. */
    @Test
    void aReadWithoutAMatchReadsOnAFewTimesThenAnswersEmptyButFurther() throws Exception {
        TagFilter.Found none = read(0, 2, "c");
        assertThat(none.records()).isEmpty();
        assertThat(none.nextOffset()).isEqualTo(2L * TagFilter.MAX_READS);
        TagFilter.Found found = read(none.nextOffset(), 2, "c");
        assertThat(offsets(found)).containsExactly(25);
        assertThat(found.nextOffset()).isEqualTo(26);
        TagFilter.Found rest = read(26, 2, "c");
        assertThat(rest.records()).isEmpty();
        assertThat(rest.nextOffset()).as("stops at the queue's end").isEqualTo(30);
        assertThat(rest.last().maxOffset()).isEqualTo(30);
        assertThat(read(30, 2, "c").nextOffset()).isEqualTo(30);
    }

    @Test
    void tooManyOrEmptyTagsAreRefused() {
        for (PullRequest.Builder bad : java.util.List.of(PullRequest.newBuilder().addTags(""),
                PullRequest.newBuilder().addTags("x".repeat(RequestValidator.MAX_TAGS_BYTES + 1)),
                PullRequest.newBuilder().addAllTags(Collections.nCopies(TagFilter.MAX_TAGS + 1, "a")))) {
            assertThatThrownBy(() -> TagFilter.of(bad.setTopic("t").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                            e.getTrailers().get(RpcErrors.DETAIL_KEY).getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
    }
}

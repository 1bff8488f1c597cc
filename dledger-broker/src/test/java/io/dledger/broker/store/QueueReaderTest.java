package io.dledger.broker.store;

import static io.dledger.broker.store.StoreFixtures.apply;
import static io.dledger.broker.store.StoreFixtures.bodies;
import static io.dledger.broker.store.StoreFixtures.createTopic;
import static io.dledger.broker.store.StoreFixtures.produce;
import static io.dledger.broker.store.StoreFixtures.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class QueueReaderTest {
    private static final long PAGE = 4096;

    @TempDir
    Path dir;

    /**
     * A segment file cut from outside while a pull maps it (what a disk error on a mapped page looks like to the
     * JVM: a SIGBUS) fails that pull with an exception; the process lives on and the other segments still read. A
     * CRC check run on the mapped bytes themselves would crash the JVM here (HotSpot's CRC32C stub has no fault
     * handling), failing the build.
     */
    @Test
    void aSegmentCutFromOutsideWhileMappedFailsThePullNotTheProcess() throws Exception {
        try (MessageStore store = MessageStore.open(smallConfig(dir))) {
            createTopic(store, 1, "t", 1);
            for (int i = 0; i < 100; i++) {
                apply(store, 2 + i, produce("t", 0, 0, 0, "m" + i + "-" + "x".repeat(200)));
            }
            assertThat(store.data().log().segments().size()).isGreaterThan(2);
            assertThat(store.read("t", 0, 0, 3, Long.MAX_VALUE)).hasSize(3); // maps the first, sealed segment
            Path first;
            try (Stream<Path> files = Files.walk(dir)) {
                first = files.filter(LogSegment::isSegmentFile).sorted().findFirst().orElseThrow();
            }
            try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
                ch.truncate(PAGE); // the record across this page boundary has a readable header, its body faults
            }
            long offset = 0;
            while (recordEnd(store, offset) <= PAGE) {
                assertThat(store.read("t", 0, offset, 1, Long.MAX_VALUE)).hasSize(1); // wholly on the first page
                offset++;
            }
            long across = offset;
            assertThatThrownBy(() -> store.read("t", 0, across, 1, Long.MAX_VALUE))
                    .isInstanceOf(CorruptStoreException.class);
            long later = store.data().topics().get("t").queue(0).nextOffset() - 5;
            assertThat(store.read("t", 0, later, 5, Long.MAX_VALUE)).hasSize(5);
        }
    }

    /** Log position after the record of {@code t/0@offset}, from the queue index. */
    private static long recordEnd(MessageStore store, long offset) {
        java.nio.ByteBuffer entry = store.data().topics().get("t").queue(0).read(offset, 1);
        return entry.getLong() + entry.getInt();
    }
}

package io.dledger.broker.raft.log;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.conf.ConfigurationEntry;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the segments of a Raft log directory at start and checks them: every record whole, CRC-valid and
 * numbered in sequence, each segment starting where the previous one ends, and the oldest one reaching back to
 * the recorded first index. A damaged older segment or a hole fails the load without writing anything; the
 * newest segment's torn tail is cut and every byte after its data zeroed (also a recycled file's old records,
 * harmless but not told apart from a torn write's at low cost), unless a record written after a sync follows the
 * bad one (then it is damage to synced data and the load fails). Configuration entries at or after
 * the first index go to JRaft's {@link ConfigurationManager}, in order. Segments wholly below the first index
 * (a prefix truncation cut short by a crash) are deleted.
 *
 * <p>Thread-safety: single use, on the thread that initialises the log.
 */
final class SegmentLogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogLoader.class);

    /** What was loaded: open segments in index order, and the log's first and last index. */
    record Loaded(List<RaftLogSegment> segments, long firstIndex, long lastIndex) {
    }

    private final Path dir;
    private final FirstIndexFile firstIndexFile;
    private final LogEntryDecoder decoder;
    private final List<RaftLogSegment> segments = new ArrayList<>();

    SegmentLogLoader(Path dir, FirstIndexFile firstIndexFile, LogEntryDecoder decoder) {
        this.dir = dir;
        this.firstIndexFile = firstIndexFile;
        this.decoder = decoder;
    }

    Loaded load(ConfigurationManager confManager) throws IOException {
        try {
            return loadSegments(confManager);
        } catch (IOException | RuntimeException e) {
            for (RaftLogSegment s : segments) {
                s.close();
            }
            throw e;
        }
    }

    private Loaded loadSegments(ConfigurationManager confManager) throws IOException {
        List<Path> files;
        boolean clean = true; // how the newest segment's data ended
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(RaftLogSegment.SUFFIX)).sorted().toList();
        }
        long first = firstIndexFile.read().orElse(files.isEmpty() ? 1 : RaftLogSegment.baseIndexOf(files.get(0)));
        for (int i = 0; i < files.size(); i++) {
            RaftLogSegment seg = RaftLogSegment.open(files.get(i));
            segments.add(seg); // closed by load() if anything below fails
            seg.force(); // what a killed process left in the page cache is on disk before the checks read it
            // a segment wholly below the first index is deleted below, so a gap after it is no hole (a power loss
            // can bring one back, emptied, that a prefix truncation had dropped and recycled)
            if (segments.size() > 1 && seg.baseIndex() != segments.get(segments.size() - 2).nextIndex()
                    && segments.get(segments.size() - 2).nextIndex() > first) {
                throw new IllegalStateException("Raft log hole: " + files.get(i) + " starts at " + seg.baseIndex()
                        + " but the previous segment ends before " + segments.get(segments.size() - 2).nextIndex());
            }
            clean = seg.recover(r -> {
                if ((r.flags() & SegmentRecordCodec.FLAG_CONFIGURATION) != 0 && r.index() >= first) {
                    confManager.add(configurationEntry(decoder.decode(r.payload())));
                }
            });
            if (!clean && i < files.size() - 1) {
                throw new IllegalStateException("Raft log segment " + files.get(i) + " is damaged after "
                        + seg.entryCount() + " entries and is not the newest one (nothing was changed)");
            }
            OptionalLong synced = clean ? OptionalLong.empty() : seg.syncedWriteAfterEnd();
            if (synced.isPresent()) {
                throw new IllegalStateException("Raft log segment " + files.get(i) + " is damaged at index "
                        + seg.nextIndex() + ", which had been synced: index " + synced.getAsLong()
                        + " was written after it (not a torn write; nothing was changed)");
            }
        }
        while (!segments.isEmpty() && segments.get(0).nextIndex() <= first) {
            segments.remove(0).delete();
        }
        if (!segments.isEmpty() && segments.get(0).baseIndex() > first) {
            throw new IllegalStateException("Raft log hole: entries from " + first + " are expected but the oldest "
                    + "segment starts at " + segments.get(0).baseIndex());
        }
        // only now that the log is accepted: cut the newest segment's torn tail and zero what lies after it
        if (!segments.isEmpty()) {
            RaftLogSegment newest = segments.get(segments.size() - 1);
            if (newest.zeroAfterEnd() && !clean) {
                LOG.warn("Raft log {}: cut a torn write after index {}", newest.path(), newest.nextIndex() - 1);
            } // after a clean end: a recycled file's old records, or what an interrupted truncation left
        }
        long last = segments.isEmpty() ? first - 1 : segments.get(segments.size() - 1).nextIndex() - 1;
        return new Loaded(List.copyOf(segments), first, Math.max(last, first - 1));
    }

    private static ConfigurationEntry configurationEntry(LogEntry e) {
        ConfigurationEntry c = new ConfigurationEntry();
        c.setId(new LogId(e.getId().getIndex(), e.getId().getTerm()));
        c.setConf(new Configuration(e.getPeers(), e.getLearners()));
        if (e.getOldPeers() != null) {
            c.setOldConf(new Configuration(e.getOldPeers(), e.getOldLearners()));
        }
        return c;
    }
}

package io.dledger.broker.statemachine;

import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.google.protobuf.Message;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** Directory-backed snapshot writer and reader, standing in for JRaft's local snapshot storage. */
final class SnapshotFakes {
    private SnapshotFakes() {
    }

    static final class Writer extends SnapshotWriter {
        final Path dir;
        final Set<String> files = new TreeSet<>();

        Writer(Path dir) {
            this.dir = dir;
        }

        @Override
        public boolean saveMeta(SnapshotMeta meta) {
            return true;
        }

        @Override
        public boolean addFile(String fileName, Message fileMeta) {
            return files.add(fileName);
        }

        @Override
        public boolean removeFile(String fileName) {
            return files.remove(fileName);
        }

        @Override
        public void close(boolean keepDataOnError) {
        }

        @Override
        public void close() {
        }

        @Override
        public boolean init(Void opts) {
            return true;
        }

        @Override
        public void shutdown() {
        }

        @Override
        public String getPath() {
            return dir.toString();
        }

        @Override
        public Set<String> listFiles() {
            return files;
        }

        @Override
        public Message getFileMeta(String fileName) {
            return null;
        }
    }

    static final class Reader extends SnapshotReader {
        final Path dir;
        final long lastIncludedIndex;

        Reader(Path dir, long lastIncludedIndex) {
            this.dir = dir;
            this.lastIncludedIndex = lastIncludedIndex;
        }

        @Override
        public SnapshotMeta load() {
            return SnapshotMeta.newBuilder().setLastIncludedIndex(lastIncludedIndex).setLastIncludedTerm(1).build();
        }

        @Override
        public String generateURIForCopy() {
            return null;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean init(Void opts) {
            return true;
        }

        @Override
        public void shutdown() {
        }

        @Override
        public String getPath() {
            return dir.toString();
        }

        @Override
        public Set<String> listFiles() {
            return Set.of();
        }

        @Override
        public Message getFileMeta(String fileName) {
            return null;
        }
    }

}

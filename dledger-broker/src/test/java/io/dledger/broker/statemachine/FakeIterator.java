package io.dledger.broker.statemachine;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import java.nio.ByteBuffer;
import java.util.List;

/** Feeds entries to a state machine the way JRaft's iterator does. */
final class FakeIterator implements Iterator {
    record Entry(long index, ByteBuffer data, Closure done) {
    }

    private final List<Entry> entries;
    private int pos;
    Status error;

    FakeIterator(List<Entry> entries) {
        this.entries = entries;
    }

    @Override
    public boolean hasNext() {
        return error == null && pos < entries.size();
    }

    @Override
    public ByteBuffer next() {
        pos++;
        return pos < entries.size() ? entries.get(pos).data() : null;
    }

    @Override
    public ByteBuffer getData() {
        return entries.get(pos).data();
    }

    @Override
    public long getIndex() {
        return entries.get(pos).index();
    }

    @Override
    public long getTerm() {
        return 1;
    }

    @Override
    public Closure done() {
        return entries.get(pos).done();
    }

    @Override
    public void setAutoCommitPerLog(boolean status) {
    }

    @Override
    public boolean commit() {
        return true;
    }

    @Override
    public void commitAndSnapshotSync(Closure done) {
    }

    @Override
    public void setErrorAndRollback(long ntail, Status st) {
        error = st;
    }
}

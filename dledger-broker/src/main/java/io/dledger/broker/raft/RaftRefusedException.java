package io.dledger.broker.raft;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;

/** JRaft refused or failed an operation this node asked of it, with JRaft's error code. Immutable. */
public final class RaftRefusedException extends IllegalStateException {
    private final RaftError error;

    public RaftRefusedException(String what, Status status) {
        super(what + " failed: " + status.getErrorMsg() + " (" + status.getRaftError() + ")");
        this.error = status.getRaftError();
    }

    /** JRaft's code ({@code EBUSY}: another is under way, {@code EIO}: the state machine failed, ...). */
    public RaftError error() {
        return error;
    }
}

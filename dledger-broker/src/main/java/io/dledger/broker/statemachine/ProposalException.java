package io.dledger.broker.statemachine;

import io.dledger.proto.ErrorCode;

/** A write that did not (or may not have) become part of the replicated log. */
public final class ProposalException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public ProposalException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}

package io.dledger.broker.store;

/**
 * Data on disk violates an invariant that cannot be explained by a torn write at the tail (a CRC
 * mismatch in a sealed segment, an index entry pointing at the wrong record, a checkpoint that does
 * not match the log). The store refuses to open rather than serve or extend corrupt data.
 */
public class CorruptStoreException extends StoreException {
    private static final long serialVersionUID = 1L;

    public CorruptStoreException(String message) {
        super(message);
    }

    public CorruptStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.dledger.broker.store;

/** An I/O failure of the message store. The node cannot continue applying entries after one. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}

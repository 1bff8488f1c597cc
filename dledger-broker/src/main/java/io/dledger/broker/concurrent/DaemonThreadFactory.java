package io.dledger.broker.concurrent;

import java.util.concurrent.ThreadFactory;

/**
 * Makes daemon threads with one name, for the node's background executors (they must not keep a stopping JVM
 * alive). Thread-safe and stateless.
 */
public final class DaemonThreadFactory implements ThreadFactory {
    private final String name;

    public DaemonThreadFactory(String name) {
        this.name = name;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

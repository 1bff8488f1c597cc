package io.dledger.broker.cli;

import java.util.function.Supplier;

/**
 * While open, a line on standard error if this JVM is told to end (Ctrl-C, SIGTERM): how far a command got, or what to
 * run next. The line comes from {@code line} at that moment ({@code null}: nothing to say). A JVM shutdown hook,
 * removed by {@link #close}.
 *
 * <p>Thread-safety: open and close on one thread; the hook runs on its own.
 */
final class InterruptNotice implements AutoCloseable {
    private final Thread hook;

    InterruptNotice(Supplier<String> line) {
        this.hook = new Thread(() -> {
            String text = line.get();
            if (text != null) {
                System.err.println(text);
            }
        }, "interrupt-notice");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ending) {
            // the JVM is ending: the hook runs (or ran)
        }
    }
}

package io.dledger.it;

import io.dledger.client.DLedgerClient;
import io.dledger.client.Message;
import io.dledger.client.Producer;
import io.dledger.client.SendResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends uniquely named messages one after another on its own thread until stopped, recording every
 * acknowledgement in an {@link AckedMessages} and every error the caller saw.
 */
final class BackgroundProducer implements AutoCloseable {
    private final Producer producer;
    private final String topic;
    private final String prefix;
    private final AckedMessages acked;
    private final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sent = new AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;

    BackgroundProducer(DLedgerClient client, String topic, String prefix, AckedMessages acked) {
        this.producer = client.newProducer();
        this.topic = topic;
        this.prefix = prefix;
        this.acked = acked;
        this.thread = new Thread(this::loop, "producer-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        int i = 0;
        while (running) {
            String body = prefix + "-" + i++;
            try {
                SendResult r = producer.send(topic, Message.of(body).withKey(Integer.toString(i % 16)));
                acked.add(body, r);
                sent.incrementAndGet();
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
    }

    int acknowledged() {
        return sent.get();
    }

    List<Throwable> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(60_000);
        producer.close();
    }
}

package io.dledger.broker.server;

import io.dledger.proto.ErrorCode;
import io.dledger.proto.Message;
import io.dledger.proto.ProduceRequest;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks client input before anything is proposed or read: topic names, queue counts, message and
 * batch limits, field sizes.
 * Stateless and thread-safe.
 */
public final class RequestValidator {
    /** Topic names: letters, digits, '.', '_', '-'; 1 to 127 characters; not "." or "..". */
    public static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,127}");
    public static final int MAX_QUEUES = 1024;
    public static final int MAX_KEY_BYTES = 4096;
    public static final int MAX_TAGS_BYTES = 4096;
    public static final int MAX_PROPERTIES_BYTES = 64 * 1024;

    private final int messageMaxBytes;
    private final int batchMaxBytes;
    private final int batchMaxMessages;

    public RequestValidator(int messageMaxBytes, int batchMaxBytes, int batchMaxMessages) {
        this.messageMaxBytes = messageMaxBytes;
        this.batchMaxBytes = batchMaxBytes;
        this.batchMaxMessages = batchMaxMessages;
    }

    public static void checkTopicName(String topic) {
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw RpcErrors.error(ErrorCode.INVALID_TOPIC_NAME, "invalid topic name '" + abbreviate(topic)
                    + "': use 1 to 127 letters, digits, '.', '_' or '-', other than '.' and '..' (a topic's files "
                    + "are in a directory named after it)");
        }
    }

    public static void checkQueues(int queues) {
        if (queues < 1 || queues > MAX_QUEUES) {
            throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "a topic has 1 to " + MAX_QUEUES
                    + " queues, not " + queues);
        }
    }

    /** Validates a produce request; returns its size in bytes as counted against the limits. */
    public int check(ProduceRequest req) throws StatusRuntimeException {
        checkTopicName(req.getTopic());
        int n = req.getMessagesCount();
        if (n == 0) {
            throw RpcErrors.error(ErrorCode.EMPTY_MESSAGE, "a produce request needs at least one message");
        }
        if (n > batchMaxMessages) {
            throw RpcErrors.error(ErrorCode.BATCH_TOO_LARGE, "batch of " + n + " messages exceeds the limit of "
                    + batchMaxMessages);
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            Message m = req.getMessages(i);
            int body = m.getBody().size();
            if (body == 0) {
                throw RpcErrors.error(ErrorCode.EMPTY_MESSAGE, "message " + i + " has an empty body");
            }
            if (body > messageMaxBytes) {
                throw RpcErrors.error(ErrorCode.MESSAGE_TOO_LARGE, "message " + i + " has " + body
                        + " bytes; the limit is " + messageMaxBytes);
            }
            if (m.hasQueue() && m.getQueue() < 0) {
                throw RpcErrors.error(ErrorCode.QUEUE_NOT_FOUND, "message " + i + " names queue " + m.getQueue());
            }
            int key = utf8Length(m.getKey());
            int tags = utf8Length(m.getTags());
            if (key > MAX_KEY_BYTES || tags > MAX_TAGS_BYTES) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "message " + i + ": key and tags are limited to "
                        + MAX_KEY_BYTES + " bytes each");
            }
            int props = 0;
            for (Map.Entry<String, String> e : m.getPropertiesMap().entrySet()) {
                int name = utf8Length(e.getKey());
                if (name == 0 || name > 1024) {
                    throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "message " + i
                            + ": property names must have 1 to 1024 bytes");
                }
                props += name + utf8Length(e.getValue());
            }
            if (props > MAX_PROPERTIES_BYTES) {
                throw RpcErrors.error(ErrorCode.INVALID_ARGUMENT, "message " + i + ": properties exceed "
                        + MAX_PROPERTIES_BYTES + " bytes");
            }
            total += body + key + tags + props + 64;
        }
        if (total > batchMaxBytes) {
            throw RpcErrors.error(ErrorCode.BATCH_TOO_LARGE, "request of " + total + " bytes exceeds the limit of "
                    + batchMaxBytes);
        }
        return (int) total;
    }

    static int utf8Length(String s) {
        return s.isEmpty() ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}

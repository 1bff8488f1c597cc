package io.dledger.broker.config;

import java.util.List;

/** The node's configuration is invalid; the message lists every problem found. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super("invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** Why a file could not be read, in words: "no such file", else the I/O error's message. */
    public static String reason(java.io.IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
    }
}

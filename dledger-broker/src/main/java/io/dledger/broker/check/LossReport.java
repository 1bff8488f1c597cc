package io.dledger.broker.check;

import java.util.List;

/**
 * Result of {@link AckLedger#verify}: acknowledged messages that are missing, stored more than once, or
 * stored somewhere other than where they were acknowledged.
 */
public record LossReport(int acknowledged, long stored, List<String> lost, List<String> duplicates,
                         List<String> misplaced) {

    public LossReport {
        lost = List.copyOf(lost);
        duplicates = List.copyOf(duplicates);
        misplaced = List.copyOf(misplaced);
    }

    /** True when every acknowledged message is stored exactly once where it was acknowledged. */
    public boolean ok() {
        return lost.isEmpty() && duplicates.isEmpty() && misplaced.isEmpty();
    }

    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(acknowledged).append(" acknowledged, ").append(stored).append(" stored, ")
                .append(lost.size()).append(" lost, ").append(duplicates.size()).append(" duplicated, ")
                .append(misplaced.size()).append(" misplaced");
        if (!ok()) {
            sb.append("; first problems: ");
            lost.stream().limit(3).forEach(id -> sb.append("[lost ").append(id).append("] "));
            duplicates.stream().limit(3).forEach(id -> sb.append("[duplicate ").append(id).append("] "));
            misplaced.stream().limit(3).forEach(m -> sb.append("[").append(m).append("] "));
        }
        return sb.toString();
    }
}

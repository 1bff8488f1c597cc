package io.dledger.broker.bench;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One benchmark result, printed as exactly one line so results can be compared with other brokers
 * measured the same way:
 * {@code RESULT peer=dledger metric=NAME [threads=N] [size=BYTES] value=NUMBER}.
 * Values are printed without exponent, rounded to at most three decimals.
 */
public record ResultLine(String metric, Integer threads, Integer size, double value) {
    public static final String PEER = "dledger";

    public static ResultLine of(String metric, double value) {
        return new ResultLine(metric, null, null, value);
    }

    public static ResultLine of(String metric, int threads, int size, double value) {
        return new ResultLine(metric, threads, size, value);
    }

    public String format() {
        StringBuilder sb = new StringBuilder("RESULT peer=").append(PEER).append(" metric=").append(metric);
        if (threads != null) {
            sb.append(" threads=").append(threads);
        }
        if (size != null) {
            sb.append(" size=").append(size);
        }
        return sb.append(" value=").append(number(value)).toString();
    }

    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "NaN";
        }
        BigDecimal d = BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}

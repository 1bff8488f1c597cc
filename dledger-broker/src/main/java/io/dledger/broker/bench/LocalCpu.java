package io.dledger.broker.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CPU use on the benchmark's own machine: this process's CPU time, and the whole machine's busy and steal time
 * from Linux's {@code /proc/stat} (its first line, in clock ticks: user nice system idle iowait irq softirq steal
 * ...). Busy is everything but idle and iowait. On another system, or when the file cannot be read, the machine
 * figures are empty. Also this JVM's JIT compilation time. Tells whether a slow run was the code or a busy machine.
 * Immutable samples; thread-safe.
 */
final class LocalCpu {
    /**
     * One reading; {@code machine} is empty where {@code /proc/stat} is not available, {@code jitNanos} (this JVM's
     * accumulated JIT compilation time) is -1 where the JVM does not measure it.
     */
    record Sample(long processNanos, Optional<MachineTicks> machine, long jitNanos) {
    }

    /** The machine's CPU ticks since boot, summed over its processors. */
    record MachineTicks(long busy, long total, long steal) {
    }

    private static final Path PROC_STAT = Path.of("/proc/stat");

    private LocalCpu() {
    }

    static Sample sample() {
        return new Sample(processNanos(), machine(PROC_STAT), jitNanos());
    }

    private static long jitNanos() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit.getTotalCompilationTime() * 1_000_000 : -1;
    }

    private static long processNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    static Optional<MachineTicks> machine(Path procStat) {
        try {
            return parse(Files.readAllLines(procStat).stream().findFirst().orElse(""));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The aggregate {@code cpu} line of {@code /proc/stat}; empty for anything else. */
    static Optional<MachineTicks> parse(String firstLine) {
        String[] f = firstLine.trim().split("\\s+");
        if (f.length < 5 || !f[0].equals("cpu")) {
            return Optional.empty();
        }
        long total = 0;
        long idle = 0;
        long steal = 0;
        try {
            // guest and guest_nice (fields 9-10) are already counted in user and nice
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                } else if (i == 8) {
                    steal = v;
                }
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(new MachineTicks(total - idle, total, steal));
    }
}

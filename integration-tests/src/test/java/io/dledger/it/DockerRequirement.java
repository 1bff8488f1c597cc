package io.dledger.it;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Whether the Docker tests can run: they skip, with the reason, where no Docker engine answers (a laptop
 * without Docker), but fail when {@code DLEDGER_REQUIRE_DOCKER=1} (CI), so a broken engine never passes
 * silently.
 */
final class DockerRequirement {
    private DockerRequirement() {
    }

    static void check() {
        boolean available;
        String why = "";
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
            why = ": " + e.getMessage();
        }
        if (!available && "1".equals(System.getenv("DLEDGER_REQUIRE_DOCKER"))) {
            throw new IllegalStateException("DLEDGER_REQUIRE_DOCKER=1 but no Docker engine answers" + why);
        }
        Assumptions.assumeTrue(available, "no Docker engine answers" + why + "; the Docker tests are skipped (run "
                + ".ci/docker-setup as root to start one, or set DOCKER_HOST)");
    }
}

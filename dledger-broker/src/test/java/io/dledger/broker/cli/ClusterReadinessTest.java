package io.dledger.broker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ClusterReadinessTest {
    /** A local cluster's readiness is asked where its nodes' HTTP port listens. */
    @Test
    void asksTheInterfaceTheHttpPortListensOn() {
        assertThat(ClusterReadiness.httpHost(null)).isEqualTo("127.0.0.1");
        assertThat(ClusterReadiness.httpHost("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(ClusterReadiness.httpHost("::")).isEqualTo("127.0.0.1");
        assertThat(ClusterReadiness.httpHost("[::]")).isEqualTo("127.0.0.1");
        assertThat(ClusterReadiness.httpHost("127.0.0.2")).isEqualTo("127.0.0.2");
        assertThat(ClusterReadiness.httpHost("::1")).isEqualTo("[::1]");
        assertThat(ClusterReadiness.httpHost("[::1]")).isEqualTo("[::1]");
        assertThat(ClusterReadiness.httpHost("localhost")).isEqualTo("localhost");
    }
}

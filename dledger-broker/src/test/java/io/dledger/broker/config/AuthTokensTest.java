package io.dledger.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class AuthTokensTest {
    @TempDir
    Path dir;

    @Test
    void readsOneTokenPerLineSkippingCommentsAndNeverShowsThem() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "# rotated 2026-11\n\n  new-token-0123456789  \n"
                + "old-token-0123456789\n");
        AuthTokens tokens = AuthTokens.load(file);
        assertThat(tokens.first()).isEqualTo("new-token-0123456789");
        assertThat(tokens.accepts("old-token-0123456789")).isTrue();
        assertThat(tokens.accepts("new-token-012345678")).isFalse();
        assertThat(tokens.accepts("")).isFalse();
        assertThat(tokens).hasToString("2 tokens");
    }

    @Test
    void refusesAFileWithoutAUsableToken() throws Exception {
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("empty"), "# nothing\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lists no token");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("short"), "short\n")))
                .hasMessageContaining("token 1 must have at least 16 characters");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("space"), "a token with spaces in\n")))
                .hasMessageContaining("no space");
        assertThatThrownBy(() -> AuthTokens.load(dir.resolve("missing"))).hasMessageContaining("cannot read");
    }
}

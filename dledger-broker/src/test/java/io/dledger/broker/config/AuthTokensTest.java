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
    void readsOneTokenPerLineSkippingCommentsAndItsNameShowsNone() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "# rotated 2026-11\n\n  new-token-0123456789  \n"
                + "old-token-0123456789\n");
        AuthTokens tokens = AuthTokens.load(file);
        assertThat(tokens.get(0)).isEqualTo("new-token-0123456789");
        assertThat(tokens.accepts("old-token-0123456789")).isTrue();
        assertThat(tokens.accepts("new-token-012345678")).isFalse();
        assertThat(tokens.accepts("")).isFalse();
        assertThat(tokens).hasToString("2 tokens");
    }

    /** A file saved on Windows: a byte-order mark, CRLF line ends. */
    @Test
    void aByteOrderMarkAndCrlfLineEndsAreNotPartOfAToken() throws Exception {
        AuthTokens tokens = AuthTokens.load(Files.writeString(dir.resolve("windows"),
                "\uFEFFfirst-token-0123456789\r\nsecond-token-0123456789\r\n"));
        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.get(0)).isEqualTo("first-token-0123456789");
        assertThat(tokens.get(1)).isEqualTo("second-token-0123456789");
        assertThat(tokens.accepts("second-token-0123456789")).isTrue();
    }

    @Test
    void refusesAFileWithoutAUsableToken() throws Exception {
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("accented"),
                "caf\u00e9-token-0123456789\n"))).as("a header carries printable ASCII")
                .hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("empty"), "# nothing\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lists no token");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("short"), "short\n")))
                .hasMessageContaining("token 1 must have at least 16 characters");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("space"), "a token with spaces in\n")))
                .hasMessageContaining("without spaces");
        assertThatThrownBy(() -> AuthTokens.load(dir.resolve("missing")))
                .hasMessageContaining("cannot read grpc.auth.tokens.file " + dir.resolve("missing") + ": no such file");
    }

    @Test
    void aTokenMayNameItsRoleAndIsAnAdminWithoutOne() throws Exception {
        AuthTokens tokens = AuthTokens.load(Files.writeString(dir.resolve("roles"), "admin-token-0123456789\n"
                + "reader-token-0123456789   read\nwriter-token-0123456789 WRITE\n"));
        assertThat(tokens.roleOf("admin-token-0123456789")).isEqualTo(TokenRole.ADMIN);
        assertThat(tokens.roleOf("reader-token-0123456789")).isEqualTo(TokenRole.READ);
        assertThat(tokens.roleOf("writer-token-0123456789")).isEqualTo(TokenRole.WRITE);
        assertThat(tokens.roleOf("read")).isNull();
        assertThat(tokens.get(1)).as("the token alone").isEqualTo("reader-token-0123456789");
        assertThat(AuthTokens.tokenOf(" reader-token-0123456789 read")).isEqualTo("reader-token-0123456789");
        assertThat(TokenRole.WRITE.allows(TokenRole.READ)).isTrue();
        assertThat(TokenRole.WRITE.allows(TokenRole.ADMIN)).isFalse();
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("boss"),
                "boss-token-0123456789 boss\n"))).hasMessageContaining("token 1: after the token a line holds at most "
                        + "its role, one of [read, write, admin]");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("twice"),
                "twice-token-0123456789 admin\ntwice-token-0123456789 read\n"))).hasMessageContaining("token 2 is "
                        + "listed before");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("three"),
                "first-token-0123456789\nthird-token-0123456789 read write\n"))).hasMessageContaining("token 2");
    }

    @Test
    void anAuthorizationHeaderCarriesATokenAsBearerInAnyCase() throws Exception {
        AuthTokens tokens = AuthTokens.load(Files.writeString(dir.resolve("bearer"), "reader-token-0123456789 read\n"));
        assertThat(tokens.grantOfBearer("Bearer reader-token-0123456789").role()).isEqualTo(TokenRole.READ);
        assertThat(tokens.grantOfBearer("bearer  reader-token-0123456789 ")).as("scheme in any case, token stripped")
                .isNotNull();
        assertThat(tokens.grantOfBearer(null)).isNull();
        assertThat(tokens.grantOfBearer("Bearer")).isNull();
        assertThat(tokens.grantOfBearer("Bearer ")).isNull();
        assertThat(tokens.grantOfBearer("Basic reader-token-0123456789")).isNull();
        assertThat(tokens.grantOfBearer("reader-token-0123456789")).as("no scheme").isNull();
    }

    @Test
    void aTokenMayBeLimitedToSomeTopicsAfterItsRole() throws Exception {
        AuthTokens tokens = AuthTokens.load(Files.writeString(dir.resolve("scoped"), "admin-token-0123456789\n"
                + "orders-token-0123456789 write topics=orders,billing-*\nteam-admin-0123456789 topics=team-*\n"));
        assertThat(tokens.grantOf("admin-token-0123456789").topics()).isSameAs(TopicScope.ALL);
        AuthTokens.Grant orders = tokens.grantOf("orders-token-0123456789");
        assertThat(orders.role()).isEqualTo(TokenRole.WRITE);
        assertThat(orders.topics()).hasToString("topics=orders,billing-*");
        assertThat(orders.topics().all()).isFalse();
        AuthTokens.Grant team = tokens.grantOf("team-admin-0123456789");
        assertThat(team.role()).as("admin without a role word").isEqualTo(TokenRole.ADMIN);
        assertThat(team.topics().allows("team-a")).isTrue();
        assertThat(tokens.grantOf("orders-token-012345678")).isNull();
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("order"),
                "first-token-0123456789 topics=orders read\n"))).as("the role comes first")
                .hasMessageContaining("token 1: after the token a line holds at most its role");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("empty"),
                "first-token-0123456789 read topics=\n"))).hasMessageContaining("token 1: topic pattern '' is not a "
                        + "topic name");
        assertThatThrownBy(() -> AuthTokens.load(Files.writeString(dir.resolve("star"),
                "first-token-0123456789 read topics=or*ders\n"))).hasMessageContaining("'or*ders'");
    }
}

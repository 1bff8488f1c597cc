package io.dledger.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.dledger.broker.config.TokenRole;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How a node takes a changed token file, one look at a time. */
@Timeout(10)
class CredentialFilesTest {
    private static final String FIRST = "first-token-0123456789abcdef";
    private static final String SECOND = "second-token-0123456789abcdef";
    @TempDir
    Path dir;

    private CredentialFiles tokensOnly(Path file) throws Exception {
        CredentialFiles files = new CredentialFiles(null, null, null, null, file, null, null, null);
        files.readAll();
        return files;
    }

    /**
     * A file caught while it is written in place can end in a line cut before its role or topics, which would read
     * as a token of every topic with the admin role: such an ending is taken only when the next look finds it again.
     */
    @Test
    void aLastLineWithoutLineBreakIsTakenOnlyWhenTheNextLookFindsItUnchanged() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), FIRST + " read topics=a*\n");
        CredentialFiles files = tokensOnly(file);

        Files.writeString(file, FIRST + " read topics=a*\n" + SECOND);
        files.readChanged();
        assertThat(files.tokens().accepts(SECOND)).as("cut before its role: not taken yet").isFalse();
        assertThat(files.tokens().grantOf(FIRST).topics().allows("b")).isFalse();

        Files.writeString(file, FIRST + " read topics=a*\n" + SECOND + " read topics=b*\n");
        files.readChanged();
        assertThat(files.tokens().roleOf(SECOND)).as("the whole file, at once").isEqualTo(TokenRole.READ);

        Files.writeString(file, FIRST + " write");
        files.readChanged();
        assertThat(files.tokens().accepts(SECOND)).as("not taken at the first look").isTrue();
        files.readChanged();
        assertThat(files.tokens().accepts(SECOND)).as("the same content at the next look is taken").isFalse();
        assertThat(files.tokens().roleOf(FIRST)).isEqualTo(TokenRole.WRITE);
    }
}

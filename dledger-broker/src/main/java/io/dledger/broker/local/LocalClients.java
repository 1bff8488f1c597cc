package io.dledger.broker.local;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigKey;
import io.dledger.client.DLedgerClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Clients of a {@link LocalCluster}: its seeds, and the TLS trust and token its nodes call for, from the cluster's
 * settings or else the environment the nodes inherit ({@code grpc.tls.ca}, else {@code grpc.tls.cert}; the first
 * token of {@code grpc.auth.tokens.file}). So the cluster commands, and client commands aimed at the local cluster,
 * work with a cluster started with TLS or tokens. Stateless.
 */
public final class LocalClients {
    private LocalClients() {
    }

    /** A client builder for {@code cluster}; timeouts left to the caller. */
    public static DLedgerClient.Builder builder(LocalCluster cluster) {
        return access(cluster.settings(), System::getenv).applyTo(DLedgerClient.builder().seeds(cluster.seeds()));
    }

    /**
     * The options a client command needs to reach {@code cluster} when it is not the default one: its servers, and
     * {@code --tls-ca} and {@code --token-file} when its nodes take TLS or tokens (the token file's first token).
     */
    public static String clientOptions(LocalCluster cluster) {
        return clientOptions(cluster.seeds(), cluster.settings(), System::getenv);
    }

    static String clientOptions(String seeds, Map<String, String> settings, Function<String, String> env) {
        ClientFiles f = clientFiles(settings, env);
        return "-s " + seeds + credentialFlags(f.trusted(), f.tokens());
    }

    /** {@code --tls-ca} and {@code --token-file} for a command line, each left out when null (leading space). */
    public static String credentialFlags(Path trusted, Path tokens) {
        return (trusted == null ? "" : " --tls-ca " + shellWord(trusted))
                + (tokens == null ? "" : " --token-file " + shellWord(tokens));
    }

    /** {@code path} as one word of a POSIX shell command line ({@link #shellWord(String)}). */
    public static String shellWord(Path path) {
        return shellWord(path.toString());
    }

    /** {@code word} as one word of a POSIX shell command line: single-quoted unless it is all [A-Za-z0-9/._+=:,@%-]. */
    public static String shellWord(String word) {
        return word.matches("[A-Za-z0-9/._+=:,@%-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * How a command reaches the HTTP ports of {@code cluster}'s nodes: trusting their certificate with
     * {@code http.tls}, sending the first token of their file with {@code http.auth} (which then must hold for every
     * topic to read {@code /metrics}).
     */
    public static NodeAccess httpAccess(LocalCluster cluster) {
        Map<String, String> settings = cluster.settings();
        ClientFiles f = clientFiles(settings, System::getenv);
        return new NodeAccess(httpTrust(cluster), isTrue(settings, ConfigKey.HTTP_AUTH) && f.tokens() != null
                ? AuthTokens.load(f.tokens()).get(0) : null);
    }

    /** What to trust on the HTTP ports of {@code cluster}'s nodes: their certificate with {@code http.tls}, or null. */
    public static Path httpTrust(LocalCluster cluster) {
        Map<String, String> settings = cluster.settings();
        return httpTls(settings) ? clientFiles(settings, System::getenv).trusted() : null;
    }

    /** Whether the nodes of a cluster started with {@code settings} serve HTTPS ({@code http.tls}). */
    public static boolean httpTls(Map<String, String> settings) {
        return isTrue(settings, ConfigKey.HTTP_TLS);
    }

    private static boolean isTrue(Map<String, String> settings, ConfigKey key) {
        return "true".equalsIgnoreCase(nodeSetting(settings, key, System::getenv));
    }

    /**
     * Setting {@code key} of a local node started with {@code settings} in environment {@code env}, as the node reads
     * it: the cluster's setting, else the environment's; stripped, and null when unset or blank.
     */
    public static String nodeSetting(Map<String, String> settings, ConfigKey key, Function<String, String> env) {
        String v = settings.getOrDefault(key.key(), env.apply(key.envName()));
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** How clients reach a cluster started with {@code settings}: its certificate and its file's first token. */
    static NodeAccess access(Map<String, String> settings, Function<String, String> env) {
        ClientFiles f = clientFiles(settings, env);
        return new NodeAccess(f.trusted(), f.tokens() == null ? null : AuthTokens.load(f.tokens()).get(0));
    }

    /** The certificates a local cluster's clients trust and the file of its tokens (null: none). */
    private record ClientFiles(Path trusted, Path tokens) {
    }

    /** The files of {@code settings} first, then of the environment, as a node reads them. */
    private static ClientFiles clientFiles(Map<String, String> settings, Function<String, String> env) {
        Function<ConfigKey, String> setting = k -> nodeSetting(settings, k, env);
        String cert = setting.apply(ConfigKey.GRPC_TLS_CERT);
        String ca = setting.apply(ConfigKey.GRPC_TLS_CA);
        String tokens = setting.apply(ConfigKey.GRPC_AUTH_TOKENS_FILE);
        return new ClientFiles(cert == null ? null : Path.of(ca != null ? ca : cert),
                tokens == null ? null : Path.of(tokens));
    }
}

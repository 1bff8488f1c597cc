package io.dledger.broker.server;

import io.dledger.broker.config.AuthTokens;
import io.dledger.broker.config.ConfigKey;
import io.dledger.broker.config.TokenRole;
import io.dledger.proto.ErrorCode;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.function.Supplier;

/**
 * Serves a gRPC call only when it carries one of the node's tokens ({@code grpc.auth.tokens.file}) as
 * {@code authorization: Bearer TOKEN} (the scheme's name in any case), of a role that allows the call
 * ({@link CallPermissions}) and, for a token limited to some topics, about one of those ({@link TopicScopedCall});
 * any other call is closed before a handler sees it, with {@code UNAUTHENTICATED} (no token, or one the node does not
 * know) or {@code PERMISSION_DENIED} (naming the role the call needs, or the topics the token may touch).
 * The answer says whether a token came, never echoes what was sent. The tokens are the current ones of the node's
 * credentials, which take a replaced file ({@code NodeCredentials}). Thread-safe.
 */
final class TokenAuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    /** The role of the token a call came with, for handlers whose rule depends on the request; unset without tokens. */
    static final Context.Key<TokenRole> ROLE = Context.key("dledger-token-role");

    private final Supplier<AuthTokens> tokens;

    /** Serves calls with one of the tokens {@code tokens} gives at the time of the call. */
    TokenAuthInterceptor(Supplier<AuthTokens> tokens) {
        this.tokens = tokens;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String value = headers.get(AUTHORIZATION);
        AuthTokens.Grant grant = tokens.get().grantOfBearer(value);
        TokenRole role = grant == null ? null : grant.role();
        String method = call.getMethodDescriptor().getFullMethodName();
        TokenRole needed = CallPermissions.needed(method);
        if (role != null && role.allows(needed)) {
            Context context = Context.current().withValue(ROLE, role);
            return grant.topics().all() ? Contexts.interceptCall(context, call, headers, next)
                    : TopicScopedCall.start(grant.topics(), call, c -> Contexts.interceptCall(context, c, headers,
                            next));
        }
        StatusRuntimeException refused = role != null
                ? RpcErrors.error(ErrorCode.PERMISSION_DENIED, "the call's token has role " + role + ", and "
                        + TopicScopedCall.shortName(method) + " needs " + needed + " (roles in "
                        + ConfigKey.GRPC_AUTH_TOKENS_FILE.key() + ": read, write, admin)")
                : RpcErrors.error(ErrorCode.UNAUTHENTICATED, (value == null ? "the call carries no token"
                        : "the call's token is not accepted") + ": this node serves only calls with one of the tokens "
                        + "of its " + ConfigKey.GRPC_AUTH_TOKENS_FILE.key());
        return TopicScopedCall.closed(call, refused);
    }

    /** The header a node sends with its own calls to other nodes: its token {@code i}. */
    static Metadata header(AuthTokens tokens, int i) {
        Metadata h = new Metadata();
        h.put(AUTHORIZATION, AuthTokens.BEARER + tokens.get(i));
        return h;
    }
}

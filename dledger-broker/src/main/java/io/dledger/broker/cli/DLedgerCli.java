package io.dledger.broker.cli;

import io.dledger.broker.config.ConfigKey;
import io.dledger.client.DLedgerException;
import io.dledger.client.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/dledger}: one command line for nodes, local clusters and clients. */
@Command(name = "dledger", mixinStandardHelpOptions = true, version = "dledger 0.1.0",
        description = "A replicated message broker on SOFAJRaft.",
        subcommands = {DemoCommand.class, ClusterCommand.class, NodeCommand.class, TopicCommand.class,
                ProduceCommand.class, ConsumeCommand.class, GroupCommand.class, StatusCommand.class,
                AdminCommand.class, io.dledger.broker.bench.BenchCommand.class,
                io.dledger.broker.bench.RaftBenchNodeCommand.class,
                CommandLine.HelpCommand.class})
public final class DLedgerCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // gRPC logs through java.util.logging: send it to SLF4J (logback.xml decides what is shown)
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(newCommandLine().execute(args));
    }

    /**
     * Bad command-line input: the error, then what was not understood (a misspelled required option is reported
     * as missing by picocli, so the unknown word is named too), then suggestions or the command's one-line synopsis
     * and where its help is (the whole help would bury the error).
     */
    private static int badInput(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        err.println("error: " + ex.getMessage().replaceFirst("^(?i)error: ", "")); // some of picocli's start so
        List<String> unknown = cmd.getUnmatchedArguments();
        if (!(ex instanceof CommandLine.UnmatchedArgumentException) && !unknown.isEmpty()) {
            err.println("Not understood: " + String.join(" ", unknown) + " (misspelled option?)");
        }
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            CommandLine.Help help = cmd.getHelp();
            err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
            String path = "'bin/" + cmd.getCommandSpec().qualifiedName();
            if (!cmd.getSubcommands().isEmpty()) { // 'bin/dledger group' alone: name what it takes
                err.print(help.commandListHeading() + help.commandList());
                err.println(path + " COMMAND --help' describes a command");
            } else {
                err.println(path + " --help' describes every option");
            }
        }
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The configured picocli command line (shared by main and tests of the CLI). */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new DLedgerCli());
        var nodeUsage = cl.getSubcommands().get("node").getCommandSpec().usageMessage();
        List<String> footer = new ArrayList<>(List.of(nodeUsage.footer()));
        for (ConfigKey k : ConfigKey.values()) {
            footer.add("  " + k.key() + (k.defaultValue() == null ? "" : " (default: " + k.defaultValue() + ")")
                    + ", env " + k.envName());
            footer.add("      " + k.description().replace("%", "%%"));
        }
        nodeUsage.footer(footer.toArray(new String[0]));
        cl.setParameterExceptionHandler(DLedgerCli::badInput);
        cl.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            boolean noTopic = e instanceof DLedgerException d && d.code() == ErrorCode.TOPIC_NOT_FOUND;
            String again = cmd.getMixins().values().stream().filter(ClientOptions.class::isInstance)
                    .map(o -> ((ClientOptions) o).asFlags()).findFirst().orElse(""); // the cluster it was given
            cmd.getErr().println("error: " + e.getMessage() + (noTopic ? "; 'bin/dledger topic list" + again
                    + "' lists the topics, 'bin/dledger topic create" + again + " NAME' creates one" : ""));
            // an argument the command or a node refused (a bad group name, a zero timeout, an unknown node id, an
            // empty message, a queue the topic does not have) is bad input, like a parse error: exit code 2; any
            // other failure 1
            boolean badInput = e instanceof IllegalArgumentException
                    || e instanceof DLedgerException d && (d.grpcCode() == io.grpc.Status.Code.INVALID_ARGUMENT
                    || d.code() == ErrorCode.QUEUE_NOT_FOUND
                    || d.code() == ErrorCode.BATCH_TOO_LARGE); // also over gRPC's own limit (RESOURCE_EXHAUSTED)
            return badInput ? cmd.getCommandSpec().exitCodeOnInvalidInput() : 1;
        });
        return cl;
    }
}

package io.dledger.broker.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The GROUP parameter and {@code --topic} option of the group commands that address one group on one topic. */
final class GroupTopicOptions {
    @Parameters(paramLabel = "GROUP", description = "consumer group")
    String group;

    @Option(names = {"-t", "--topic"}, required = true, description = "topic")
    String topic;
}

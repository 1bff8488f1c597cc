package io.dledger.broker.cli;

import io.dledger.client.ClusterView;
import io.dledger.client.DLedgerClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dledger status}: every node's role, term, leader and commit/applied index. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every node: role, term, leader, commit and applied index.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() {
        try (DLedgerClient c = client.connect()) {
            ClusterView view = c.admin().describeCluster();
            if (json) {
                System.out.println(ClusterTable.json(view));
            } else {
                ClusterTable.print(view, System.out);
            }
            return view.leaderId() == null ? 3 : 0;
        }
    }
}

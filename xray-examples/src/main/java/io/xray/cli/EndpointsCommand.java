package io.xray.cli;

import io.xray.InvalidConfigurationException;
import io.xray.sagemaker.EndpointSweeper;
import io.xray.sagemaker.SageMakerSession;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.regions.Region;

/** {@code xray endpoints sweep}: deletes xray's SageMaker endpoints past their time-to-live or idle. */
@Command(
        name = "endpoints",
        mixinStandardHelpOptions = true,
        description = "Manage the SageMaker endpoints xray deployed.",
        subcommands = EndpointsCommand.Sweep.class)
final class EndpointsCommand {

    @Command(
            name = "sweep",
            mixinStandardHelpOptions = true,
            description = {
                "Delete the endpoints xray deployed (tag xray:created-by=xray) that are past their time-to-live"
                        + " (tag xray:expires) or, with --max-idle-hours, had no invocations for that long"
                        + " (CloudWatch's Invocations metric), with their endpoint configurations and models."
                        + " Other endpoints are never touched.",
                "Credentials come from the AWS SDK's default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...)."
            })
    static final class Sweep implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: the SDK's region chain, AWS_REGION)")
        private String region;

        @Option(names = "--max-idle-hours", paramLabel = "N", description = "also delete endpoints idle for N hours (at least 1)")
        private Integer maxIdleHours;

        @Option(names = "--dry-run", description = "only list what would be deleted")
        private boolean dryRun;

        @Option(names = "--max-attempts", defaultValue = "8", paramLabel = "N",
                description = "attempts per AWS call, throttling included (default: ${DEFAULT-VALUE})")
        private int maxAttempts;

        @Option(names = "--sagemaker-endpoint", paramLabel = "URL", hidden = true, description = "SageMaker's address, for tests")
        private URI sageMakerEndpoint;

        @Option(names = "--cloudwatch-endpoint", paramLabel = "URL", hidden = true, description = "CloudWatch's address, for tests")
        private URI cloudWatchEndpoint;

        @Override
        public Integer call() {
            OptionChecks.of(spec).atLeast("--max-idle-hours", maxIdleHours, 1).between("--max-attempts", maxAttempts, 1, 20);
            SageMakerSession.Builder builder = SageMakerSession.builder().maxAttempts(maxAttempts)
                    .sageMakerEndpoint(sageMakerEndpoint).cloudWatchEndpoint(cloudWatchEndpoint);
            if (region != null) {
                builder.region(Region.of(region));
            }
            try (SageMakerSession session = session(builder)) {
                List<EndpointSweeper.Decision> decisions = EndpointSweeper.builder(session)
                        .maxIdle(maxIdleHours == null ? null : Duration.ofHours(maxIdleHours))
                        .dryRun(dryRun)
                        .build()
                        .sweep();
                PrintWriter out = spec.commandLine().getOut();
                for (EndpointSweeper.Decision d : decisions) {
                    String verb = d.action() == EndpointSweeper.Action.KEEP ? "kept" : d.deleted() ? "deleted" : "would delete";
                    out.println(verb + " " + d.endpointName() + ": " + d.reason());
                }
                if (decisions.isEmpty()) {
                    out.println("no endpoints deployed by xray in " + session.region());
                }
                out.flush();
            }
            return 0;
        }

        /**
         * Builds the session; without {@code --region}, the library's "call region(...)" advice for
         * a region the SDK's chain cannot find becomes the command line's.
         */
        private SageMakerSession session(SageMakerSession.Builder builder) {
            try {
                return builder.build();
            } catch (InvalidConfigurationException e) {
                if (region == null && e.field().equals("region")) {
                    throw new InvalidConfigurationException("--region", "not given, and the AWS SDK found no region"
                            + " (AWS_REGION, the profile's region): give --region, e.g. --region eu-west-1, or set"
                            + " AWS_REGION");
                }
                throw e;
            }
        }
    }
}

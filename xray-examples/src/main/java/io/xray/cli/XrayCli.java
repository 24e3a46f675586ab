package io.xray.cli;

import io.xray.XrayException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./xray} command line. Each sub-command is its own class; results go to standard
 * output, logs and progress to standard error, so {@code --json} output can be piped.
 */
@Command(
        name = "xray",
        mixinStandardHelpOptions = true,
        versionProvider = XrayCli.Version.class,
        description = "Train, evaluate, serve and batch-score chest X-ray pneumonia classifiers.",
        subcommands = {
            CommandLine.HelpCommand.class,
            AuditCommand.class,
            SplitCommand.class,
            TrainCommand.class,
            SeedsCommand.class,
            TuneCommand.class,
            RunsCommand.class,
            ReportCommand.class,
            EvaluateCommand.class,
            PredictCommand.class,
            QuickstartCommand.class,
            BatchCommand.class,
            ServeCommand.class,
            LoadTestCommand.class,
            BenchCommand.class,
            EndpointsCommand.class,
            SageMakerCommand.class,
        })
public final class XrayCli {

    /** Exit code for bad input or configuration: the message says what was wrong. */
    static final int EXIT_USAGE = 2;

    private XrayCli() {}

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting, for tests and embedding.
     *
     * @param args the command-line arguments
     * @return the exit status: 0 on success, 2 on bad input, 1 on an unexpected failure
     */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * Runs the command line with the given output streams, for tests and embedding.
     *
     * @param out where results go
     * @param err where usage errors go
     * @param args the command-line arguments
     * @return the exit status: 0 on success, 2 on bad input, 1 on an unexpected failure
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new XrayCli()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
            if (exception instanceof XrayException) {
                commandLine.getErr().println("xray: " + exception.getMessage());
                return EXIT_USAGE;
            }
            throw exception;
        });
        return cli.execute(args);
    }

    /** Reports the version recorded in the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = XrayCli.class.getPackage().getImplementationVersion();
            return new String[] {"xray " + (version == null ? "development" : version)};
        }
    }
}

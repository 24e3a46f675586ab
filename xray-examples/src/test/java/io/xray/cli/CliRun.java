package io.xray.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the command line in this JVM: its exit status and what it printed.
 *
 * @param status the exit status
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
record CliRun(int status, String out, String err) {

    /**
     * @param args the command line, such as {@code "audit", "--data", "folder"}
     * @return the run's status and output
     */
    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = XrayCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(status, out.toString(), err.toString());
    }
}

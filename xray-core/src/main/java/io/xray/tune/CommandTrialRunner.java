package io.xray.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import io.xray.train.RunRecord;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Runs any command per trial and reads its metrics from its output, exactly as a SageMaker tuning
 * job reads a training job's log: every metric has a regular expression whose first group is the
 * value, and each line of output (standard output and error together) on which the objective's
 * metric matches is one data point, the epoch being the line's order. Other metrics matched on the
 * same line are recorded with it.
 *
 * <p>The command is a template: {@code {NAME}} is replaced by the trial's value of parameter
 * {@code NAME}, {@code {trial}} by the trial number and {@code {trial_dir}} by the trial's folder.
 * A {@linkplain Builder#shellCommand(String) shell command} runs under {@code sh -c} with each
 * substituted value single-quoted where it needs quoting; a {@linkplain Builder#command(List)
 * command} is a list of arguments substituted one by one. The trial's folder also gets
 * {@code hyperparameters.json} (every value as a string, as SageMaker writes it) and
 * {@code output.log}, the command's whole output, and {@code metrics.jsonl}, one JSON line per
 * epoch with the values read from it ({@code {"epoch":1,"Val_f1":0.91,...}}), as a training run's
 * record has.
 *
 * <p>A non-zero exit or a timeout fails the trial with the exit status or the time and the last
 * lines of output; a trial the tuner stops early has its process (and its descendants) destroyed.
 * An interrupted trial is run again from the start.
 */
public final class CommandTrialRunner implements TrialRunner {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}\\s]+)}");
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._+\\-/=:,@%]+");
    private static final int TAIL_LINES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> template;
    private final boolean shell;
    private final Map<String, Pattern> metrics;
    private final Duration timeout;
    private final Path workingDirectory;

    private CommandTrialRunner(Builder b) {
        this.template = List.copyOf(b.template);
        this.shell = b.shell;
        this.metrics = new LinkedHashMap<>(b.metrics);
        this.timeout = b.timeout;
        this.workingDirectory = b.workingDirectory;
    }

    /** @return a builder; a command and at least one metric are required */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param values a trial's values
     * @param trial the trial number
     * @param directory the trial's folder
     * @return the command line to run, placeholders substituted
     */
    List<String> commandLine(Map<String, String> values, int trial, Path directory) {
        Map<String, String> substitutions = new LinkedHashMap<>(values);
        substitutions.put("trial", Integer.toString(trial));
        substitutions.put("trial_dir", directory.toString());
        List<String> line = new ArrayList<>();
        if (shell) {
            line.add("sh");
            line.add("-c");
            line.add(substitute(template.get(0), substitutions, true));
        } else {
            for (String argument : template) {
                line.add(substitute(argument, substitutions, false));
            }
        }
        return line;
    }

    private static String substitute(String text, Map<String, String> values, boolean quote) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
            } else {
                String replacement = quote && !SAFE.matcher(value).matches() ? "'" + value.replace("'", "'\\''") + "'" : value;
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public TrialOutcome run(Trial trial) {
        List<String> command = commandLine(trial.values(), trial.number(), trial.directory());
        Map<String, String> hyperparameters = new LinkedHashMap<>(trial.values());
        try {
            AtomicFiles.write(trial.directory().resolve("hyperparameters.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(hyperparameters));
        } catch (IOException e) {
            throw new XrayException(trial.directory() + ": cannot write hyperparameters.json: " + e.getMessage(), e);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        builder.environment().put("XRAY_TRIAL", Integer.toString(trial.number()));
        builder.environment().put("XRAY_TRIAL_DIR", trial.directory().toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new XrayException("cannot start " + command + ": " + e.getMessage(), e);
        }
        Deque<String> tail = new ArrayDeque<>();
        Throwable[] readFailure = new Throwable[1];
        Thread reader = new Thread(() -> {
            try {
                read(process, trial, tail);
            } catch (Throwable t) {
                readFailure[0] = t;
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }, "xray-trial-" + trial.number() + "-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            if (timeout.isZero()) {
                process.waitFor();
                finished = true;
            } else {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!finished) {
                destroy(process);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            destroy(process);
            Thread.currentThread().interrupt();
            throw new XrayException("trial " + trial.number() + " was interrupted", e);
        }
        if (readFailure[0] instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (readFailure[0] instanceof Error error) {
            throw error;
        }
        if (!finished) {
            throw new XrayException(String.format(Locale.ROOT, "timed out after %s; last output: %s",
                    timeout, lastLines(tail)));
        }
        int exit = process.exitValue();
        if (exit != 0 && !trial.stopRequested()) {
            throw new XrayException("exited with status " + exit + "; last output: " + lastLines(tail));
        }
        return TrialOutcome.none();
    }

    private void read(Process process, Trial trial, Deque<String> tail) throws IOException {
        int epoch = 0;
        String objectiveName = metrics.keySet().iterator().next();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter log = Files.newBufferedWriter(trial.directory().resolve("output.log"), StandardCharsets.UTF_8);
                BufferedWriter epochs = Files.newBufferedWriter(trial.directory().resolve(RunRecord.METRICS_FILE), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.newLine();
                log.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (trial.stopRequested()) {
                    continue;
                }
                Map<String, Double> found = new LinkedHashMap<>();
                for (Map.Entry<String, Pattern> metric : metrics.entrySet()) {
                    Matcher m = metric.getValue().matcher(line);
                    if (m.find()) {
                        try {
                            found.put(metric.getKey(), Double.parseDouble(m.group(1)));
                        } catch (NumberFormatException | NullPointerException e) {
                            // not a number: SageMaker skips such a match too
                        }
                    }
                }
                if (found.containsKey(objectiveName)) {
                    epoch++;
                    Map<String, Object> record = new LinkedHashMap<>();
                    record.put("epoch", epoch);
                    record.putAll(found);
                    epochs.write(JSON.writeValueAsString(record));
                    epochs.newLine();
                    epochs.flush();
                    if (!trial.reportEpoch(epoch, found)) {
                        destroy(process);
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String lastLines(Deque<String> tail) {
        synchronized (tail) {
            return tail.isEmpty() ? "(none)" : String.join(" | ", tail);
        }
    }

    @Override
    public void validate(SearchSpace space, Objective objective) {
        if (!metrics.containsKey(objective.metric())) {
            throw new InvalidConfigurationException("objective", "'" + objective.metric()
                    + "' is not a metric of the command runner; it reads " + metrics.keySet());
        }
        if (!metrics.keySet().iterator().next().equals(objective.metric())) {
            throw new InvalidConfigurationException("objective", "'" + objective.metric()
                    + "' must be the command runner's first metric, which counts the epochs");
        }
        Set<String> known = new LinkedHashSet<>(space.names());
        known.add("trial");
        known.add("trial_dir");
        for (String part : template) {
            Matcher m = PLACEHOLDER.matcher(part);
            while (m.find()) {
                if (!known.contains(m.group(1))) {
                    throw new InvalidConfigurationException("command", "the placeholder {" + m.group(1)
                            + "} names no parameter; known are " + known);
                }
            }
        }
    }

    /** @return one trial per processor: each command is a process of its own */
    @Override
    public int defaultParallelTrials() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Collects and validates a {@link CommandTrialRunner}'s options. */
    public static final class Builder {
        private List<String> template = List.of();
        private boolean shell;
        private final Map<String, Pattern> metrics = new LinkedHashMap<>();
        private Duration timeout = Duration.ZERO;
        private Path workingDirectory;
        private String badMetric;

        private Builder() {}

        /**
         * @param command a command line for {@code sh -c}, with {@code {NAME}} placeholders
         * @return this builder
         */
        public Builder shellCommand(String command) {
            this.template = command == null ? List.of() : List.of(command);
            this.shell = true;
            return this;
        }

        /**
         * @param arguments the program and its arguments, each with {@code {NAME}} placeholders
         * @return this builder
         */
        public Builder command(List<String> arguments) {
            this.template = arguments == null ? List.of() : List.copyOf(arguments);
            this.shell = false;
            return this;
        }

        /**
         * Adds a metric definition, as SageMaker's {@code MetricDefinitions}. The first one added
         * must be the objective's: its matching lines count the epochs.
         *
         * @param name the metric's name, for example {@code Val_f1}
         * @param regex a regular expression whose first group is the value, for example
         *     {@code Val_f1=([0-9.]+)}
         * @return this builder
         */
        public Builder metric(String name, String regex) {
            try {
                Pattern pattern = Pattern.compile(regex);
                if (pattern.matcher("").groupCount() < 1) {
                    badMetric = name + ": the regex '" + regex + "' has no group; the first group is the value";
                } else {
                    metrics.put(name, pattern);
                }
            } catch (PatternSyntaxException | NullPointerException e) {
                badMetric = name + ": '" + regex + "' is not a regular expression: "
                        + (e.getMessage() == null ? "null" : e.getMessage().lines().findFirst().orElse(""));
            }
            return this;
        }

        /**
         * @param timeout the longest a trial may run, {@link Duration#ZERO} (the default) for no limit
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * @param directory where the command runs; default this process's working directory
         * @return this builder
         */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /**
         * @return the runner
         * @throws InvalidConfigurationException naming the first bad field
         */
        public CommandTrialRunner build() {
            if (template.isEmpty() || template.get(0).isBlank()) {
                throw new InvalidConfigurationException("command", "must be set, for example"
                        + " \"python train.py --lr {learning-rate}\"");
            }
            if (badMetric != null) {
                throw new InvalidConfigurationException("metric", badMetric);
            }
            if (metrics.isEmpty()) {
                throw new InvalidConfigurationException("metric", "at least one metric regex is needed, for example"
                        + " Val_f1=([0-9.]+)");
            }
            if (timeout == null || timeout.isNegative()) {
                throw new InvalidConfigurationException("timeout", "must be zero (no limit) or positive, got " + timeout);
            }
            return new CommandTrialRunner(this);
        }
    }
}

package io.xray.sagemaker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * A training job's per-epoch metrics, read from its CloudWatch Logs stream
 * ({@value #LOG_GROUP}, stream {@code <job>/algo-1-<time>}) with the regexes of the job's metric
 * definitions ({@link TrainingMetrics}), as SageMaker itself applies them. The epoch is the number
 * the {@code Val_epoch N:} line carries, not the line's position, so a managed-spot job that
 * resumed after an interruption still files each value under its epoch. Each {@link #read()}
 * continues from the forward token of the previous one: a poll reads only the new events.
 */
final class TrainingJobLog {

    /** The log group of every SageMaker training job. */
    static final String LOG_GROUP = "/aws/sagemaker/TrainingJobs";

    private static final Pattern EPOCH = Pattern.compile(TrainingMetrics.regexes().get(TrainingMetrics.EPOCH));
    private static final Map<String, Pattern> METRICS = new LinkedHashMap<>();

    static {
        TrainingMetrics.regexes().forEach((name, regex) -> {
            if (!name.equals(TrainingMetrics.EPOCH)) {
                METRICS.put(name, Pattern.compile(regex));
            }
        });
    }

    private final CloudWatchLogsClient logs;
    private final String jobName;
    private final SortedMap<Integer, Map<String, Double>> epochs = new TreeMap<>();
    private String stream;
    private String token;

    TrainingJobLog(CloudWatchLogsClient logs, String jobName) {
        this.logs = logs;
        this.jobName = jobName;
    }

    /**
     * Reads the events written since the last call (none before the job's container starts).
     *
     * @return every epoch read so far, epoch 1 first
     * @throws software.amazon.awssdk.core.exception.SdkException when CloudWatch Logs refuses a call
     */
    synchronized SortedMap<Integer, Map<String, Double>> read() {
        if (stream == null) {
            DescribeLogStreamsResponse streams;
            try {
                // one instance per job: algo-1 (the prefix ends with '-', so job "a-1" never finds "a-10")
                streams = logs.describeLogStreams(r -> r.logGroupName(LOG_GROUP).logStreamNamePrefix(jobName + "/algo-1-"));
            } catch (ResourceNotFoundException e) {
                return epochs(); // the account's first training job has not created the group yet
            }
            if (streams.logStreams().isEmpty()) {
                return epochs();
            }
            stream = streams.logStreams().get(0).logStreamName();
        }
        while (true) {
            String from = token;
            GetLogEventsResponse page = logs.getLogEvents(r -> r.logGroupName(LOG_GROUP).logStreamName(stream)
                    .startFromHead(true).nextToken(from));
            for (OutputLogEvent event : page.events()) {
                if (event.message() != null) {
                    for (String line : event.message().split("\\R")) {
                        parse(line);
                    }
                }
            }
            token = page.nextForwardToken();
            // the end of the stream answers with the token it was given (and no events)
            if (page.events().isEmpty() || token == null || token.equals(from)) {
                return epochs();
            }
        }
    }

    /**
     * Applies the metric definitions to one log line, as SageMaker does (a search, the first group
     * is the value; a line that is not a {@code Val_epoch} line gives nothing).
     *
     * @return the line's epoch, or 0 when it is none
     */
    int parse(String line) {
        Matcher epoch = EPOCH.matcher(line);
        if (!epoch.find()) {
            return 0;
        }
        int number = Integer.parseInt(epoch.group(1));
        Map<String, Double> values = new LinkedHashMap<>();
        METRICS.forEach((name, pattern) -> {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                values.put(name, Double.parseDouble(m.group(1)));
            }
        });
        if (number < 1 || values.isEmpty()) {
            return 0;
        }
        synchronized (this) {
            epochs.put(number, values);
        }
        return number;
    }

    private SortedMap<Integer, Map<String, Double>> epochs() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(epochs));
    }

    /** @return the log stream, once found */
    synchronized String stream() {
        return stream;
    }
}

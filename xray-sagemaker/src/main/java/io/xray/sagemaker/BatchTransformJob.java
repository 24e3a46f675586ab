package io.xray.sagemaker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.InvalidConfigurationException;
import io.xray.batch.BatchResult;
import io.xray.batch.BatchTransformer;
import io.xray.data.Label;
import io.xray.metrics.BinaryMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sagemaker.model.BatchStrategy;
import software.amazon.awssdk.services.sagemaker.model.CreateTransformJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTransformJobResponse;
import software.amazon.awssdk.services.sagemaker.model.S3DataType;
import software.amazon.awssdk.services.sagemaker.model.TransformDataSource;
import software.amazon.awssdk.services.sagemaker.model.TransformInput;
import software.amazon.awssdk.services.sagemaker.model.TransformOutput;
import software.amazon.awssdk.services.sagemaker.model.TransformResources;
import software.amazon.awssdk.services.sagemaker.model.TransformS3DataSource;

/**
 * A SageMaker batch transform job over a prefix of images, the counterpart of the local
 * {@link BatchTransformer}: it creates a model from the xray image and a model artifact, runs a
 * transform job (one image per request, JSON answers), waits for it, deletes the model, downloads
 * every {@code <input>.out} result into a local folder, writes {@code summary.jsonl} and, when
 * the inputs' keys name their class ({@code .../NORMAL/...}, {@code .../PNEUMONIA/...}),
 * {@code metrics.json}, and returns the same {@link BatchResult} as a local run. An input without
 * a result counts as failed. A job that ends {@code Failed} or {@code Stopped} throws with
 * SageMaker's FailureReason.
 */
public final class BatchTransformJob {

    private static final Logger LOG = LoggerFactory.getLogger(BatchTransformJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern S3 = Pattern.compile("s3://([a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9])/?(.*)");
    private static final Pattern IMAGE = Pattern.compile("(?i).*\\.(jpe?g|png)");

    private final SageMakerSession session;
    private final EndpointDeployment model;
    private final String inputS3Uri;
    private final String outputS3Uri;
    private final String instanceType;
    private final int instanceCount;
    private final String contentType;
    private final int maxConcurrentTransforms;
    private final String baseName;
    private final Duration pollInterval;
    private final Duration timeout;
    private final Clock clock;

    private BatchTransformJob(Builder b, EndpointDeployment model) {
        this.session = b.session;
        this.model = model;
        this.inputS3Uri = b.inputS3Uri.endsWith("/") ? b.inputS3Uri : b.inputS3Uri + "/";
        this.outputS3Uri = b.outputS3Uri.endsWith("/") ? b.outputS3Uri : b.outputS3Uri + "/";
        this.instanceType = b.instanceType;
        this.instanceCount = b.instanceCount;
        this.contentType = b.contentType;
        this.maxConcurrentTransforms = b.maxConcurrentTransforms;
        this.baseName = b.baseName;
        this.pollInterval = b.pollInterval;
        this.timeout = b.timeout;
        this.clock = b.clock;
    }

    /**
     * @param session the region, role and clients
     * @return a builder: one {@code ml.m5.xlarge}, {@code image/jpeg} inputs
     */
    public static Builder builder(SageMakerSession session) {
        return new Builder(session);
    }

    /** @return the CreateTransformJob request for a job and model of this name */
    CreateTransformJobRequest request(String name) {
        return CreateTransformJobRequest.builder()
                .transformJobName(name)
                .modelName(name)
                .batchStrategy(BatchStrategy.SINGLE_RECORD)
                .maxPayloadInMB(6)
                .maxConcurrentTransforms(maxConcurrentTransforms)
                .transformInput(TransformInput.builder()
                        .dataSource(TransformDataSource.builder().s3DataSource(TransformS3DataSource.builder()
                                .s3DataType(S3DataType.S3_PREFIX).s3Uri(inputS3Uri).build()).build())
                        .contentType(contentType)
                        .splitType("None")
                        .build())
                .transformOutput(TransformOutput.builder().s3OutputPath(outputS3Uri).accept("application/json")
                        .assembleWith("None").build())
                .transformResources(TransformResources.builder().instanceType(instanceType).instanceCount(instanceCount).build())
                .build();
    }

    /**
     * Runs the job and collects its results.
     *
     * @param localOutput the folder for the {@code .out} files, {@code summary.jsonl} and {@code metrics.json}
     * @return what the job did, its metrics when the labels are known
     * @throws SageMakerException when a call fails or the job ends {@code Failed} or {@code Stopped}
     */
    public BatchResult run(Path localOutput) {
        long start = System.nanoTime();
        String name = JobNames.trainingJob(baseName, clock.instant());
        Endpoint modelOnly = new Endpoint(session, null, null, null);
        try {
            call("CreateModel", name, () -> session.sageMaker().createModel(model.modelRequest(name)));
            modelOnly = new Endpoint(session, name, null, null);
            call("CreateTransformJob", name, () -> session.sageMaker().createTransformJob(request(name)));
            LOG.info("Started transform job {} over {} ({} x {})", name, inputS3Uri, instanceCount, instanceType);
            await(name);
        } finally {
            modelOnly.close();
        }
        return collect(localOutput, Duration.ofNanos(System.nanoTime() - start));
    }

    private void await(String name) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            DescribeTransformJobResponse job;
            try {
                job = session.sageMaker().describeTransformJob(r -> r.transformJobName(name));
            } catch (SdkException e) {
                throw AwsErrors.translate("DescribeTransformJob", name, e);
            }
            String status = job.transformJobStatusAsString();
            if (!status.equals(last)) {
                LOG.info("Transform job {}: {}", name, status);
                last = status;
            }
            switch (status) {
                case "Completed" -> {
                    return;
                }
                case "Failed", "Stopped" -> throw new SageMakerException("transform job " + name + " ended " + status
                        + (job.failureReason() != null ? ": " + job.failureReason() : ""));
                default -> {
                    // InProgress, Stopping
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new SageMakerException("transform job " + name + " is still " + status + " after " + timeout
                        + "; it keeps running");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SageMakerException("interrupted while waiting for transform job " + name, e);
            }
        }
    }

    private BatchResult collect(Path localOutput, Duration elapsed) {
        Matcher in = S3.matcher(inputS3Uri);
        Matcher out = S3.matcher(outputS3Uri);
        if (!in.matches() || !out.matches()) {
            throw new IllegalStateException("validated in build()");
        }
        S3Client s3 = session.s3();
        List<String> inputs = keys(s3, in.group(1), in.group(2)).stream().filter(k -> IMAGE.matcher(k).matches()).sorted().toList();
        Map<String, String> outputs = new LinkedHashMap<>();
        for (String key : keys(s3, out.group(1), out.group(2))) {
            if (key.endsWith(".out")) {
                outputs.put(key.substring(out.group(2).length()), key);
            }
        }
        List<String> summary = new ArrayList<>();
        List<BatchResult.Failure> failures = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        String modelId = null;
        double threshold = Double.NaN;
        try {
            Files.createDirectories(localOutput);
            for (String key : inputs) {
                String relative = key.substring(in.group(2).length());
                String outKey = outputs.get(relative + ".out");
                Label label = labelOf(relative);
                ObjectNode line = JSON.createObjectNode().put("input", relative);
                if (outKey == null) {
                    failures.add(new BatchResult.Failure(relative, relative + ": the job wrote no result for it"));
                    summary.add(line.put("status", "error").put("error", "no result").toString());
                    continue;
                }
                byte[] body;
                try {
                    body = s3.getObjectAsBytes(r -> r.bucket(out.group(1)).key(outKey)).asByteArray();
                } catch (SdkException e) {
                    throw AwsErrors.translate("GetObject", "s3://" + out.group(1) + "/" + outKey, e);
                }
                Path file = localOutput.resolve(relative + ".out");
                Files.createDirectories(file.getParent());
                Files.write(file, body);
                JsonNode prediction = JSON.readTree(body).path("predictions").path(0);
                if (!prediction.has("probability")) {
                    failures.add(new BatchResult.Failure(relative, relative + ".out holds no prediction"));
                    summary.add(line.put("status", "error").put("error", "no prediction in the result").toString());
                    continue;
                }
                modelId = prediction.path("model_id").asText(modelId);
                threshold = prediction.path("threshold").asDouble(threshold);
                line.put("status", "ok").put("label", prediction.path("label").asText())
                        .put("probability", prediction.path("probability").asDouble());
                if (label != null) {
                    line.put("true_label", label.name());
                    scores.add(prediction.path("probability").asDouble());
                    labels.add(label.index());
                }
                summary.add(line.toString());
            }
            Path summaryFile = localOutput.resolve("summary.jsonl");
            Files.write(summaryFile, (String.join("\n", summary) + (summary.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8));
            Optional<BinaryMetrics> metrics = Optional.empty();
            if (!scores.isEmpty()) {
                BinaryMetrics computed = BinaryMetrics.compute(scores.stream().mapToDouble(Double::doubleValue).toArray(),
                        labels.stream().mapToInt(Integer::intValue).toArray(), threshold);
                JSON.writerWithDefaultPrettyPrinter().writeValue(localOutput.resolve("metrics.json").toFile(), computed);
                metrics = Optional.of(computed);
            }
            int processed = inputs.size() - failures.size();
            return new BatchResult(modelId == null ? "unknown" : modelId, inputs.size(), processed, 0, failures.size(),
                    elapsed, processed / Math.max(1e-9, elapsed.toNanos() / 1e9), localOutput, summaryFile, metrics, failures);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Label labelOf(String relative) {
        for (String part : relative.split("/")) {
            String upper = part.toUpperCase(Locale.ROOT);
            if (upper.equals("NORMAL")) {
                return Label.NORMAL;
            }
            if (upper.equals("PNEUMONIA")) {
                return Label.PNEUMONIA;
            }
        }
        return null;
    }

    private static List<String> keys(S3Client s3, String bucket, String prefix) {
        try {
            return s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
                    .contents().stream().map(S3Object::key).toList();
        } catch (SdkException e) {
            throw AwsErrors.translate("ListObjectsV2", "s3://" + bucket + "/" + prefix, e);
        }
    }

    private static void call(String operation, String name, Runnable call) {
        try {
            call.run();
        } catch (SdkException e) {
            throw AwsErrors.translate(operation, name, e);
        }
    }

    /** Builds a {@link BatchTransformJob}; validated in {@link #build()}, each error naming its field. */
    public static final class Builder {
        private final SageMakerSession session;
        private String imageUri;
        private String modelDataUrl;
        private String inputS3Uri;
        private String outputS3Uri;
        private String instanceType = "ml.m5.xlarge";
        private int instanceCount = 1;
        private String contentType = "image/jpeg";
        private int maxConcurrentTransforms = 4;
        private String baseName = "xray-batch";
        private Duration pollInterval = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofHours(6);
        private Clock clock = Clock.systemUTC();

        private Builder(SageMakerSession session) {
            this.session = Objects.requireNonNull(session, "session");
        }

        /**
         * @param imageUri the xray image; required
         * @return this builder
         */
        public Builder imageUri(String imageUri) {
            this.imageUri = imageUri;
            return this;
        }

        /**
         * @param s3Uri the model artifact ({@code model.tar.gz}); required
         * @return this builder
         */
        public Builder modelDataUrl(String s3Uri) {
            this.modelDataUrl = s3Uri;
            return this;
        }

        /**
         * @param s3Uri the prefix of the images to score; required
         * @return this builder
         */
        public Builder input(String s3Uri) {
            this.inputS3Uri = s3Uri;
            return this;
        }

        /**
         * @param s3Uri where the job writes {@code <input>.out}; required
         * @return this builder
         */
        public Builder output(String s3Uri) {
            this.outputS3Uri = s3Uri;
            return this;
        }

        /**
         * @param instanceType default {@code ml.m5.xlarge}
         * @return this builder
         */
        public Builder instanceType(String instanceType) {
            this.instanceType = instanceType;
            return this;
        }

        /**
         * @param count instances, at least 1
         * @return this builder
         */
        public Builder instanceCount(int count) {
            this.instanceCount = count;
            return this;
        }

        /**
         * @param contentType the inputs' type, {@code image/jpeg} (default) or {@code image/png}
         * @return this builder
         */
        public Builder contentType(String contentType) {
            this.contentType = contentType;
            return this;
        }

        /**
         * @param concurrent requests per instance, 1 to 100; default 4
         * @return this builder
         */
        public Builder maxConcurrentTransforms(int concurrent) {
            this.maxConcurrentTransforms = concurrent;
            return this;
        }

        /**
         * @param base the start of the job and model names
         * @return this builder
         */
        public Builder baseName(String base) {
            this.baseName = base;
            return this;
        }

        /**
         * @param pollInterval time between two DescribeTransformJob calls; default 30 s
         * @param timeout how long to wait; default 6 h
         * @return this builder
         */
        public Builder waiting(Duration pollInterval, Duration timeout) {
            this.pollInterval = pollInterval;
            this.timeout = timeout;
            return this;
        }

        /**
         * @param clock the clock of names
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @return the job
         * @throws InvalidConfigurationException naming the first bad field
         */
        public BatchTransformJob build() {
            EndpointDeployment model = EndpointDeployment.builder(session).imageUri(imageUri).modelDataUrl(modelDataUrl)
                    .baseName(baseName).clock(clock).build();
            for (String[] uri : new String[][] {{"input", inputS3Uri}, {"output", outputS3Uri}}) {
                if (uri[1] == null || !S3.matcher(uri[1]).matches()) {
                    throw new InvalidConfigurationException(uri[0], "'" + uri[1] + "' is not an S3 URI (s3://bucket/prefix)");
                }
            }
            if (!"image/jpeg".equals(contentType) && !"image/png".equals(contentType)) {
                throw new InvalidConfigurationException("contentType", "must be image/jpeg or image/png, was " + contentType);
            }
            if (instanceCount < 1) {
                throw new InvalidConfigurationException("instanceCount", "must be at least 1, was " + instanceCount);
            }
            if (maxConcurrentTransforms < 1 || maxConcurrentTransforms > 100) {
                throw new InvalidConfigurationException("maxConcurrentTransforms", "must be 1 to 100, was "
                        + maxConcurrentTransforms);
            }
            if (pollInterval == null || timeout == null || pollInterval.isNegative() || timeout.isNegative() || timeout.isZero()) {
                throw new InvalidConfigurationException("waiting", "poll interval and timeout must be positive");
            }
            if (instanceType == null || !instanceType.matches("ml\\.[a-z0-9]+\\.[a-z0-9]+")) {
                throw new InvalidConfigurationException("instanceType", "'" + instanceType + "' is not a SageMaker instance type");
            }
            return new BatchTransformJob(this, model);
        }
    }
}

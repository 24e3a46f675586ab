package io.xray.cli;

import io.xray.InvalidConfigurationException;
import io.xray.batch.BatchResult;
import io.xray.sagemaker.BatchTransformJob;
import io.xray.sagemaker.Endpoint;
import io.xray.sagemaker.EndpointDeployment;
import io.xray.sagemaker.SageMakerEstimator;
import io.xray.sagemaker.SageMakerSession;
import io.xray.sagemaker.SageMakerTrialRunner;
import io.xray.sagemaker.TrainingJob;
import io.xray.sagemaker.TrainingJobResult;
import io.xray.train.TrainingRecipe;
import io.xray.tune.EarlyStopping;
import io.xray.tune.HyperparameterTuner;
import io.xray.tune.Objective;
import io.xray.tune.Parameter;
import io.xray.tune.SearchStrategy;
import io.xray.tune.TrialRecord;
import io.xray.tune.TuningListener;
import io.xray.tune.TuningResult;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/**
 * {@code xray sagemaker train|tune|deploy|batch}: a training job, xray's tuner with every trial a
 * training job, an endpoint, or a batch transform job, on a real SageMaker account. Settings missing for a real run
 * (credentials, region, execution role, image, training data) are listed together before anything
 * is called, with how to give each.
 */
@Command(
        name = "sagemaker",
        mixinStandardHelpOptions = true,
        description = "Train, tune, deploy and batch-score on Amazon SageMaker (needs AWS credentials, an execution role"
                + " and the xray image).",
        subcommands = {SageMakerCommand.Train.class, SageMakerCommand.Tune.class, SageMakerCommand.Deploy.class,
            SageMakerCommand.Batch.class})
final class SageMakerCommand {

    /** The settings every SageMaker command shares; flags win over the environment. */
    static final class JobOptions {

        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        @Option(names = "--region", paramLabel = "REGION", defaultValue = "${env:AWS_REGION}",
                description = "AWS region (default: $AWS_REGION)")
        String region;

        @Option(names = "--role", paramLabel = "ARN", defaultValue = "${env:XRAY_SAGEMAKER_ROLE}",
                description = "the SageMaker execution role (default: $XRAY_SAGEMAKER_ROLE)")
        String role;

        @Option(names = "--bucket", paramLabel = "NAME", defaultValue = "${env:XRAY_SAGEMAKER_BUCKET}",
                description = "the S3 bucket for outputs and checkpoints (default: $XRAY_SAGEMAKER_BUCKET)")
        String bucket;

        @Option(names = "--image", paramLabel = "URI", defaultValue = "${env:XRAY_SAGEMAKER_IMAGE}",
                description = "the xray image in ECR (default: $XRAY_SAGEMAKER_IMAGE; see xray-sagemaker/container/Dockerfile)")
        String image;

        @Option(names = "--train", paramLabel = "S3_URI", description = "the train channel: an S3 prefix with a chest_xray folder")
        String train;

        @Option(names = "--validation", paramLabel = "S3_URI", description = "an optional validation channel")
        String validation;

        @Option(names = "--instance-type", defaultValue = "ml.m5.xlarge", description = "(default: ${DEFAULT-VALUE})")
        String instanceType;

        @Option(names = "--max-runtime-hours", defaultValue = "24", paramLabel = "H", description = "(default: ${DEFAULT-VALUE})")
        int maxRuntimeHours;

        @Option(names = "--spot-max-wait-hours", paramLabel = "H",
                description = "train on managed spot instances, waiting at most this long in all (at least the max runtime)")
        Integer spotMaxWaitHours;

        @Option(names = "--preset", defaultValue = "default", description = "the recipe preset: default, quickstart or seed-notebook")
        String preset;

        @Option(names = "--hp", paramLabel = "KEY=VALUE", description = "a recipe hyperparameter; repeat for more")
        Map<String, String> hyperparameters = new LinkedHashMap<>();

        @Option(names = "--max-attempts", defaultValue = "8", paramLabel = "N", description = "attempts per AWS call (default: ${DEFAULT-VALUE})")
        int maxAttempts;

        @Option(names = "--poll-seconds", defaultValue = "30", paramLabel = "S", hidden = true)
        double pollSeconds;

        @Option(names = "--sagemaker-endpoint", paramLabel = "URL", hidden = true, description = "SageMaker's address, for tests")
        URI sageMakerEndpoint;

        @Option(names = "--logs-endpoint", paramLabel = "URL", hidden = true, description = "CloudWatch Logs' address, for tests")
        URI logsEndpoint;

        /** @return one line per missing setting, saying how to give it */
        List<String> missing(boolean needCredentials, boolean needBucketAndTrain) {
            List<String> missing = new ArrayList<>();
            if (needCredentials && !credentialsFound()) {
                missing.add("AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
            }
            if (blank(region)) {
                missing.add("a region: --region or AWS_REGION, e.g. eu-west-1");
            }
            if (blank(role)) {
                missing.add("an execution role: --role or XRAY_SAGEMAKER_ROLE, arn:aws:iam::ACCOUNT:role/NAME, trusted by"
                        + " sagemaker.amazonaws.com");
            }
            if (needBucketAndTrain && blank(bucket)) {
                missing.add("a bucket: --bucket or XRAY_SAGEMAKER_BUCKET, for the model, outputs and checkpoints");
            }
            if (blank(image)) {
                missing.add("the xray image: --image or XRAY_SAGEMAKER_IMAGE, ACCOUNT.dkr.ecr.REGION.amazonaws.com/xray:TAG"
                        + " (build and push xray-sagemaker/container/Dockerfile)");
            }
            if (needBucketAndTrain && blank(train)) {
                missing.add("the training data: --train s3://BUCKET/PREFIX/ (upload a chest_xray folder first)");
            }
            return missing;
        }

        void requireNothingMissing(String what, boolean needCredentials) {
            requireNothingMissing(what, needCredentials, true, List.of());
        }

        /**
         * Checks the numeric options, naming them, then lists every missing setting at once.
         *
         * @param what the action, for the message
         * @param needCredentials whether AWS credentials must be found
         * @param needBucketAndTrain whether a bucket and a train channel are needed
         * @param more the command's own missing settings
         */
        void requireNothingMissing(String what, boolean needCredentials, boolean needBucketAndTrain, List<String> more) {
            OptionChecks checks = OptionChecks.of(command).between("--max-runtime-hours", maxRuntimeHours, 1, 28 * 24)
                    .between("--max-attempts", maxAttempts, 1, 20)
                    .notNegative("--poll-seconds", pollSeconds);
            if (spotMaxWaitHours != null && spotMaxWaitHours < maxRuntimeHours) {
                throw checks.invalid("--spot-max-wait-hours", "must be at least --max-runtime-hours, "
                        + maxRuntimeHours + " (the wait includes the run)", spotMaxWaitHours);
            }
            List<String> missing = missing(needCredentials, needBucketAndTrain);
            missing.addAll(more);
            if (!missing.isEmpty()) {
                throw new InvalidConfigurationException("sagemaker", what + " not started, nothing was spent; missing:"
                        + System.lineSeparator() + "  - " + String.join(System.lineSeparator() + "  - ", missing));
            }
        }

        SageMakerSession session() {
            return SageMakerSession.builder()
                    .region(Region.of(region))
                    .roleArn(role)
                    .defaultBucket(bucket)
                    .maxAttempts(maxAttempts)
                    .sageMakerEndpoint(sageMakerEndpoint)
                    .logsEndpoint(logsEndpoint)
                    .build();
        }

        SageMakerEstimator estimator(SageMakerSession session, String baseJobName) {
            SageMakerEstimator.Builder builder = SageMakerEstimator.builder(session)
                    .imageUri(image)
                    .instanceType(instanceType)
                    .maxRuntime(Duration.ofHours(maxRuntimeHours))
                    .recipe(TrainingRecipe.preset(preset).withHyperparameters(hyperparameters))
                    .channel("train", train)
                    .baseJobName(baseJobName);
            if (validation != null) {
                builder.channel("validation", validation);
            }
            if (spotMaxWaitHours != null) {
                builder.managedSpot(Duration.ofHours(spotMaxWaitHours));
            }
            return builder.build();
        }

        Duration pollInterval() {
            return Duration.ofMillis(Math.round(pollSeconds * 1000));
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }

        private static boolean credentialsFound() {
            try (DefaultCredentialsProvider provider = DefaultCredentialsProvider.builder().build()) {
                provider.resolveCredentials();
                return true;
            } catch (SdkClientException e) {
                return false;
            }
        }
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Start a SageMaker training job with the xray image and wait for it; prints the model's S3 URI and"
                        + " the final metrics. A Stopped or Failed job exits 1 with SageMaker's FailureReason.",
                "--dry-run prints the CreateTrainingJob request instead, without credentials or any AWS call."
            })
    static final class Train implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Mixin
        private JobOptions job;

        @Option(names = "--dry-run", description = "print the request that would be sent, and stop")
        private boolean dryRun;

        @Override
        public Integer call() {
            job.requireNothingMissing("SageMaker training", !dryRun);
            PrintWriter out = spec.commandLine().getOut();
            try (SageMakerSession session = job.session()) {
                SageMakerEstimator estimator = job.estimator(session, "xray");
                String name = estimator.newJobName();
                if (dryRun) {
                    out.println(estimator.createRequest(name));
                    out.flush();
                    return 0;
                }
                TrainingJob started = estimator.fit(name);
                out.println("started training job " + started.name() + " in " + session.region());
                out.flush();
                TrainingJobResult result = started.waitForCompletion(job.pollInterval(), null, p -> {
                    out.println(p.jobName() + ": " + p.status() + " / " + p.secondaryStatus()
                            + (p.message().isEmpty() ? "" : " - " + p.message()));
                    out.flush();
                });
                out.println("model: " + result.modelArtifacts());
                result.finalMetrics().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .forEach(e -> out.println(e.getKey() + " = " + e.getValue()));
                out.println("billable seconds: " + result.billableSeconds());
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "tune",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Run xray's tuner (Bayesian or random search, scored at each trial's best epoch, optional early"
                        + " stopping, a run folder that --resume continues) with every trial a SageMaker training"
                        + " job; per-epoch metrics come from each job's CloudWatch Logs stream.",
                "Parameters are recipe keys, e.g. --param learning-rate=log:0.0001:0.1 --param batch-size=cat:32,64,128."
            })
    static final class Tune implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Mixin
        private JobOptions job;

        @Option(names = "--param", paramLabel = "SPEC", required = true, description = "a parameter to search; repeat for more")
        private List<String> parameters;

        @Option(names = "--objective", defaultValue = "maximize:validation:f1",
                description = "maximize:METRIC or minimize:METRIC[@best|@last|@mean-of-last:K] over the job's metric"
                        + " definitions (default: ${DEFAULT-VALUE})")
        private String objective;

        @Option(names = "--strategy", defaultValue = "bayesian", description = "bayesian or random (default: ${DEFAULT-VALUE})")
        private String strategy;

        @Option(names = "--trials", defaultValue = "10", description = "(default: ${DEFAULT-VALUE})")
        private int trials;

        @Option(names = "--parallel-jobs", defaultValue = "2", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
        private int parallelJobs;

        @Option(names = "--early-stopping", defaultValue = "off", description = "off, median, ... as for xray tune (default: ${DEFAULT-VALUE})")
        private String earlyStopping;

        @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
        private long seed;

        @Option(names = {"--out", "--output"}, required = true, description = "the run folder")
        private Path out;

        @Option(names = "--resume", description = "continue the run the folder holds (attaching to jobs still running)")
        private boolean resume;

        @Override
        public Integer call() {
            OptionChecks.of(spec).atLeast("--trials", trials, 1).between("--parallel-jobs", parallelJobs, 1, 100);
            job.requireNothingMissing("SageMaker tuning", true);
            PrintWriter printer = spec.commandLine().getOut();
            try (SageMakerSession session = job.session()) {
                HyperparameterTuner.Builder tuner = HyperparameterTuner.builder()
                        .objective(Objective.parse(objective))
                        .strategy(SearchStrategy.parse(strategy))
                        .maxTrials(trials)
                        .parallelTrials(parallelJobs)
                        .earlyStopping(EarlyStopping.parse(earlyStopping))
                        .seed(seed)
                        .runDirectory(out)
                        .resume(resume)
                        .runner(SageMakerTrialRunner.builder(job.estimator(session, "xray"))
                                .parallelJobs(parallelJobs).pollInterval(job.pollInterval()).build());
                for (String spec : parameters) {
                    tuner.parameter(Parameter.parse(spec));
                }
                TuningResult result = tuner.build().run(new TuningListener() {
                    @Override
                    public void onTrialFinished(TrialRecord trial, int finished, int total) {
                        printer.println(String.format(Locale.ROOT, "trial %d/%d %s %s objective %s at epoch %d%s", finished,
                                total, trial.values(), trial.status(), trial.objective(), trial.bestEpoch(),
                                trial.message().isEmpty() ? "" : " - " + trial.message()));
                        printer.flush();
                    }
                });
                result.best().ifPresentOrElse(
                        best -> printer.println("best: trial " + best.number() + " " + best.values() + " "
                                + result.objective().metric() + " " + best.objective() + " at epoch " + best.bestEpoch()
                                + " (jobs are recorded in " + out.resolve("trials") + "/*/"
                                + SageMakerTrialRunner.RECORD + ")"),
                        () -> printer.println("no trial scored " + result.objective().metric()));
                printer.flush();
                return result.best().isPresent() ? 0 : 1;
            }
        }
    }

    @Command(
            name = "deploy",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Deploy a trained model (the model.tar.gz a training job wrote) as a SageMaker endpoint and wait until"
                        + " it is InService. The endpoint keeps running, and costing, after this command: it is tagged"
                        + " with its time-to-live, and `xray endpoints sweep` deletes it (with its configuration and"
                        + " model) once that has passed."
            })
    static final class Deploy implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Mixin
        private JobOptions job;

        @Option(names = "--model", paramLabel = "S3_URI", description = "s3://.../output/model.tar.gz")
        private String model;

        @Option(names = "--endpoint-instance-type", defaultValue = "ml.m5.large", description = "(default: ${DEFAULT-VALUE})")
        private String endpointInstanceType;

        @Option(names = "--ttl-hours", defaultValue = "4", paramLabel = "H",
                description = "the endpoint's time-to-live for `xray endpoints sweep` (default: ${DEFAULT-VALUE})")
        private int ttlHours;

        @Override
        public Integer call() {
            OptionChecks.of(spec).atLeast("--ttl-hours", ttlHours, 1);
            job.requireNothingMissing("SageMaker deployment", true, false, model == null || model.isBlank()
                    ? List.of("the model: --model s3://BUCKET/.../output/model.tar.gz (xray sagemaker train prints it)")
                    : List.of());
            PrintWriter out = spec.commandLine().getOut();
            try (SageMakerSession session = job.session()) {
                Endpoint endpoint = EndpointDeployment.builder(session)
                        .imageUri(job.image)
                        .modelDataUrl(model)
                        .instanceType(endpointInstanceType)
                        .timeToLive(Duration.ofHours(ttlHours))
                        .waiting(job.pollInterval(), Duration.ofHours(1))
                        .build()
                        .deploy(); // not closed: the endpoint outlives this command; the sweep deletes it
                out.println("endpoint " + endpoint.name() + " is InService in " + session.region() + "; it expires in "
                        + ttlHours + " h (xray endpoints sweep deletes it then)");
                out.flush();
                return 0;
            }
        }
    }

    @Command(
            name = "batch",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Score every image under an S3 prefix with a SageMaker batch transform job, collect the <input>.out"
                        + " results into a local folder and, when the keys name the class (NORMAL/, PNEUMONIA/),"
                        + " the metrics, as `xray batch` does locally. The job's model is deleted afterwards."
            })
    static final class Batch implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Mixin
        private JobOptions job;

        @Option(names = "--model", paramLabel = "S3_URI", description = "s3://.../output/model.tar.gz")
        private String model;

        @Option(names = "--input", paramLabel = "S3_URI", description = "the S3 prefix of the images")
        private String input;

        @Option(names = "--output", paramLabel = "S3_URI", description = "where SageMaker writes the .out files"
                + " (default: s3://BUCKET/xray/batch/)")
        private String output;

        @Option(names = "--local-output", paramLabel = "DIR", required = true, description = "the folder for the results")
        private Path localOutput;

        @Option(names = "--transform-instance-type", defaultValue = "ml.m5.xlarge", description = "(default: ${DEFAULT-VALUE})")
        private String transformInstanceType;

        @Override
        public Integer call() {
            List<String> more = new ArrayList<>();
            if (model == null || model.isBlank()) {
                more.add("the model: --model s3://BUCKET/.../output/model.tar.gz (xray sagemaker train prints it)");
            }
            if (input == null || input.isBlank()) {
                more.add("the images: --input s3://BUCKET/PREFIX/");
            }
            if ((output == null || output.isBlank()) && (job.bucket == null || job.bucket.isBlank())) {
                more.add("where results go: --output s3://BUCKET/PREFIX/, or --bucket");
            }
            job.requireNothingMissing("SageMaker batch transform", true, false, more);
            PrintWriter out = spec.commandLine().getOut();
            try (SageMakerSession session = job.session()) {
                BatchResult result = BatchTransformJob.builder(session)
                        .imageUri(job.image)
                        .modelDataUrl(model)
                        .input(input)
                        .output(output != null ? output : "s3://" + job.bucket + "/xray/batch/")
                        .instanceType(transformInstanceType)
                        .waiting(job.pollInterval(), Duration.ofDays(2))
                        .build()
                        .run(localOutput);
                BatchCommand.print(out, result);
                out.flush();
                return result.failed() == 0 ? 0 : 1;
            }
        }
    }
}

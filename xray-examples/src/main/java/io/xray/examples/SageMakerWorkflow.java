package io.xray.examples;

import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import io.xray.data.Split;
import io.xray.predict.EndpointPrediction;
import io.xray.predict.EndpointPredictor;
import io.xray.sagemaker.DatasetUpload;
import io.xray.sagemaker.Endpoint;
import io.xray.sagemaker.EndpointDeployment;
import io.xray.sagemaker.SageMakerEstimator;
import io.xray.sagemaker.SageMakerSession;
import io.xray.sagemaker.TrainingJobResult;
import io.xray.sagemaker.TrainingMetrics;
import io.xray.train.TrainingRecipe;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;

/**
 * The seed workflow on a real SageMaker account: upload the data, train with managed spot, deploy
 * an endpoint, score three test images through it, and delete the endpoint again. It needs
 * AWS credentials (the SDK's default chain), {@code AWS_REGION}, and
 * {@code XRAY_SAGEMAKER_ROLE} (the execution role ARN), {@code XRAY_SAGEMAKER_BUCKET} and
 * {@code XRAY_SAGEMAKER_IMAGE} (the xray image in ECR, see {@code xray-sagemaker/container/Dockerfile});
 * {@code XRAY_SAGEMAKER_INSTANCE} picks the training instance (default {@code ml.m5.xlarge}). When
 * anything is missing it says exactly what and exits with status 2, spending nothing.
 */
public final class SageMakerWorkflow {

    /** The variables the workflow reads. */
    static final List<String> REQUIRED = List.of("AWS_REGION", "XRAY_SAGEMAKER_ROLE", "XRAY_SAGEMAKER_BUCKET",
            "XRAY_SAGEMAKER_IMAGE");

    private SageMakerWorkflow() {}

    /**
     * @param args the data folder, default {@code sample-data/chest_xray}
     * @throws IOException when a test image cannot be read
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        List<String> missing = missing(env, credentialsFound());
        if (!missing.isEmpty()) {
            System.err.println("SageMaker workflow not started; missing:");
            missing.forEach(m -> System.err.println("  - " + m));
            System.exit(2);
        }
        run(Path.of(args.length > 0 ? args[0] : "sample-data/chest_xray"), env, System.out);
    }

    /**
     * @param env the environment
     * @param credentialsFound whether the SDK's default chain found credentials
     * @return one line per missing setting, saying how to give it; empty when all is there
     */
    static List<String> missing(Map<String, String> env, boolean credentialsFound) {
        List<String> missing = new ArrayList<>();
        if (!credentialsFound) {
            missing.add("AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        }
        for (String name : REQUIRED) {
            String value = env.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name + switch (name) {
                    case "AWS_REGION" -> ": the region, e.g. eu-west-1";
                    case "XRAY_SAGEMAKER_ROLE" -> ": the SageMaker execution role, arn:aws:iam::ACCOUNT:role/NAME";
                    case "XRAY_SAGEMAKER_BUCKET" -> ": an S3 bucket for the data, the model and checkpoints";
                    default -> ": the xray image in ECR (build and push xray-sagemaker/container/Dockerfile)";
                });
            }
        }
        return missing;
    }

    private static boolean credentialsFound() {
        try (DefaultCredentialsProvider provider = DefaultCredentialsProvider.builder().build()) {
            provider.resolveCredentials();
            return true;
        } catch (SdkClientException e) {
            return false;
        }
    }

    /**
     * Runs the workflow.
     *
     * @param data a {@code chest_xray} folder
     * @param env the settings, as {@link #missing} checks them
     * @param out where the results are printed
     * @throws IOException when a test image cannot be read
     */
    static void run(Path data, Map<String, String> env, PrintStream out) throws IOException {
        String bucket = env.get("XRAY_SAGEMAKER_BUCKET");
        String image = env.get("XRAY_SAGEMAKER_IMAGE");
        Dataset dataset = Dataset.load(data);
        try (SageMakerSession session = SageMakerSession.builder()
                .region(Region.of(env.get("AWS_REGION")))
                .roleArn(env.get("XRAY_SAGEMAKER_ROLE"))
                .defaultBucket(bucket)
                .build()) {
            DatasetUpload.UploadResult upload = DatasetUpload.to(session, "s3://" + bucket + "/xray/chest_xray")
                    .upload(dataset, p -> { });
            out.printf("uploaded %d images, %d already there: %s%n", upload.uploaded(), upload.skipped(), upload.s3Uri());

            TrainingJobResult trained = SageMakerEstimator.builder(session)
                    .imageUri(image)
                    .instanceType(env.getOrDefault("XRAY_SAGEMAKER_INSTANCE", "ml.m5.xlarge"))
                    .maxRuntime(Duration.ofHours(2))
                    .managedSpot(Duration.ofHours(4))
                    .recipe(TrainingRecipe.quickstart())
                    .channel("train", upload.s3Uri())
                    .build()
                    .fit()
                    .waitForCompletion();
            out.printf("trained %s: best validation F1 %s, billed %s s%n", trained.modelArtifacts(),
                    trained.metric(TrainingMetrics.BEST_VALIDATION_F1).map(String::valueOf).orElse("?"),
                    trained.billableSeconds());

            try (Endpoint endpoint = EndpointDeployment.builder(session)
                            .imageUri(image)
                            .modelDataUrl(trained.modelArtifacts())
                            .timeToLive(Duration.ofHours(1))
                            .build()
                            .deploy();
                    EndpointPredictor<byte[], List<EndpointPrediction>> predictor = endpoint.predictor()) {
                for (ImageRecord record : dataset.records(Split.TEST).stream().limit(3).toList()) {
                    EndpointPrediction p = predictor.predict(Files.readAllBytes(record.path())).get(0);
                    out.printf("%s %.3f (truth %s) %s%n", p.label(), p.probability(), record.label(), record.path());
                }
            }
            out.println("endpoint deleted");
        }
    }
}

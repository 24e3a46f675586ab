package io.xray.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SageMaker workflow says exactly what is missing before it spends anything. */
class SageMakerWorkflowTest {

    static final Map<String, String> COMPLETE = Map.of(
            "AWS_REGION", "eu-west-1",
            "XRAY_SAGEMAKER_ROLE", "arn:aws:iam::123456789012:role/xray",
            "XRAY_SAGEMAKER_BUCKET", "xray-bucket",
            "XRAY_SAGEMAKER_IMAGE", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray:0.1.0");

    @Test
    void nothingConfigured_shouldListEverySettingAndTheCredentials() {
        List<String> missing = SageMakerWorkflow.missing(Map.of(), false);

        assertThat(missing).hasSize(5);
        assertThat(missing.get(0)).startsWith("AWS credentials");
        assertThat(String.join("\n", missing)).contains("AWS_REGION", "XRAY_SAGEMAKER_ROLE", "XRAY_SAGEMAKER_BUCKET",
                "XRAY_SAGEMAKER_IMAGE: the xray image in ECR");
    }

    @Test
    void onlyTheImageMissing_shouldNameOnlyIt() {
        Map<String, String> env = new java.util.HashMap<>(COMPLETE);
        env.put("XRAY_SAGEMAKER_IMAGE", " ");

        assertThat(SageMakerWorkflow.missing(env, true)).singleElement().asString().startsWith("XRAY_SAGEMAKER_IMAGE");
        assertThat(SageMakerWorkflow.missing(COMPLETE, true)).isEmpty();
    }
}

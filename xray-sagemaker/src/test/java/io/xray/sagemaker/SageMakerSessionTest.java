package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class SageMakerSessionTest {

    static SageMakerSession.Builder builder() {
        return SageMakerSession.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSESSION", "very-secret")));
    }

    static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field, String part) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidConfigurationException.class,
                e -> assertThat(e.field()).isEqualTo(field)).hasMessageContaining(part);
    }

    @Test
    void badSettings_shouldNameTheField() {
        assertField(() -> builder().roleArn("xray-role").build(), "roleArn", "not an IAM role ARN");
        assertField(() -> builder().defaultBucket("s3://bucket").build(), "defaultBucket", "not an S3 bucket name");
        assertField(() -> builder().maxAttempts(0).build(), "maxAttempts", "1 to 20");
        assertField(() -> builder().throttlingBackoff(Duration.ZERO, Duration.ofSeconds(1)).build(), "throttlingBackoff", "positive");
        assertField(() -> builder().sageMakerEndpoint(java.net.URI.create("ftp://x")).build(), "endpoint", "http or https");
    }

    @Test
    void missingRoleOrBucket_shouldFailWhenNeededNamingIt() {
        try (SageMakerSession session = builder().build()) {
            assertField(session::roleArn, "roleArn", "roleArn(\"arn:aws:iam::ACCOUNT:role/NAME\")");
            assertField(session::defaultBucket, "defaultBucket", "defaultBucket(\"NAME\")");
            assertThat(session.optionalRoleArn()).isEmpty();
        }
    }

    @Test
    void toString_shouldNeverShowCredentials() {
        try (SageMakerSession session = builder().roleArn("arn:aws:iam::123456789012:role/xray").defaultBucket("xray-b").build()) {
            session.sageMaker();
            assertThat(session.toString()).contains("us-east-1", "role/xray", "xray-b")
                    .doesNotContain("AKIDSESSION").doesNotContain("very-secret");
        }
    }

    @Test
    void retryStrategy_shouldBeTheSdksStandardOneWithTheConfiguredAttempts() {
        try (SageMakerSession session = builder().maxAttempts(5).build()) {
            assertThat(session.retryStrategy().maxAttempts()).isEqualTo(5);
            assertThat(session.retryStrategy().getClass().getName()).contains("Standard");
        }
    }

    @Test
    void closedSession_shouldRefuseClients() {
        SageMakerSession session = builder().build();
        session.close();
        assertThatThrownBy(session::sageMaker).isInstanceOf(IllegalStateException.class);
    }
}

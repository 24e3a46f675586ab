package io.xray.sagemaker;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns the SDK's exceptions into {@link SageMakerException}s that say what to do. */
final class AwsErrors {

    private AwsErrors() {
    }

    /**
     * @param operation the API operation, e.g. {@code CreateTrainingJob}
     * @param subject what it was about, e.g. the job name
     * @param e the SDK's exception
     * @return an exception naming the operation, AWS's error code and message, and a hint
     */
    static SageMakerException translate(String operation, String subject, SdkException e) {
        String prefix = operation + " (" + subject + ") failed: ";
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            String message = service.awsErrorDetails() == null ? service.getMessage() : service.awsErrorDetails().errorMessage();
            String hint = "";
            if ("AccessDeniedException".equals(code) || "AccessDenied".equals(code) || service.statusCode() == 403) {
                hint = " — the caller lacks the IAM permission " + permission(operation)
                        + " (or iam:PassRole on the execution role); see the IAM section of the SageMaker guide";
            } else if (service.isThrottlingException()) {
                hint = " — still throttled after the SDK's retries; raise maxAttempts or call less often";
            } else if ("ResourceLimitExceeded".equals(code)) {
                hint = " — an account quota is reached (instances of this type, or concurrent jobs); ask for a"
                        + " quota increase or wait for other jobs";
            }
            return new SageMakerException(prefix + (code != null ? code + ": " : "") + message
                    + " (HTTP " + service.statusCode() + ", request id " + service.requestId() + ")" + hint, e);
        }
        if (e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("credentials")) {
            return new SageMakerException(prefix + "no AWS credentials: " + e.getMessage()
                    + " — set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where a role is attached", e);
        }
        return new SageMakerException(prefix + e.getMessage(), e);
    }

    /** @return the IAM action an operation needs */
    static String permission(String operation) {
        return switch (operation) {
            case "HeadObject", "GetObject" -> "s3:GetObject";
            case "PutObject" -> "s3:PutObject";
            case "ListObjectsV2" -> "s3:ListBucket";
            case "GetLogEvents", "DescribeLogStreams" -> "logs:" + operation;
            default -> "sagemaker:" + operation;
        };
    }
}

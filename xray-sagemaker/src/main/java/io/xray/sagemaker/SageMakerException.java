package io.xray.sagemaker;

import io.xray.XrayException;

/**
 * A SageMaker or S3 call that failed, or a job that did not complete: the message says which
 * operation or job, what AWS answered and, where it helps, what to do next (for example the IAM
 * permission that is missing).
 */
public class SageMakerException extends XrayException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and what AWS said
     */
    public SageMakerException(String message) {
        super(message);
    }

    /**
     * @param message what failed and what AWS said
     * @param cause the SDK's exception
     */
    public SageMakerException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.xray.sagemaker;

import io.xray.predict.EndpointPrediction;
import io.xray.predict.EndpointPredictor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;

/**
 * A SageMaker real-time endpoint that xray deployed ({@link EndpointDeployment#deploy()}).
 * {@link #close()} deletes the endpoint, its configuration and its model, so a try-with-resources
 * block cannot leave an endpoint running (and billing) behind.
 */
public final class Endpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Endpoint.class);

    private final SageMakerSession session;
    private final String name;
    private final String configName;
    private final String modelName;
    private final AtomicBoolean closed = new AtomicBoolean();

    Endpoint(SageMakerSession session, String modelName, String configName, String name) {
        this.session = session;
        this.modelName = modelName;
        this.configName = configName;
        this.name = name;
    }

    /** @return the endpoint's name (also its configuration's and its model's) */
    public String name() {
        return name;
    }

    /**
     * @return a predictor over the SageMaker runtime: JPEG bytes in, predictions out; closing it
     *     does not delete the endpoint
     */
    public EndpointPredictor<byte[], List<EndpointPrediction>> predictor() {
        return EndpointPredictor.builder().transport(SageMakerRuntimeTransport.of(session.runtime(), name)).build();
    }

    /** @return SageMaker's description of the endpoint now */
    public DescribeEndpointResponse describe() {
        try {
            return session.sageMaker().describeEndpoint(r -> r.endpointName(name));
        } catch (SdkException e) {
            throw AwsErrors.translate("DescribeEndpoint", name, e);
        }
    }

    void awaitInService(Duration pollInterval, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            DescribeEndpointResponse endpoint = describe();
            String status = endpoint.endpointStatusAsString();
            if (!status.equals(last)) {
                LOG.info("Endpoint {}: {}", name, status);
                last = status;
            }
            switch (status) {
                case "InService" -> {
                    return;
                }
                case "Failed", "OutOfService", "Deleting", "UpdateRollbackFailed" -> throw new SageMakerException(
                        "endpoint " + name + " is " + status + (endpoint.failureReason() != null
                                ? ": " + endpoint.failureReason() : "") + "; it and its model are being deleted");
                default -> {
                    // Creating, Updating, SystemUpdating, RollingBack
                }
            }
            if (System.nanoTime() >= deadline) {
                throw new SageMakerException("endpoint " + name + " is still " + status + " after " + timeout
                        + "; it and its model are being deleted");
            }
            try {
                Thread.sleep(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SageMakerException("interrupted while waiting for endpoint " + name, e);
            }
        }
    }

    /**
     * Deletes the endpoint, then its configuration, then the model; each that is already gone is
     * skipped. Closing twice does nothing.
     *
     * @throws SageMakerException when a deletion fails for another reason (the others are still tried)
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        SageMakerException failure = null;
        failure = delete("DeleteEndpoint", name, () -> session.sageMaker().deleteEndpoint(r -> r.endpointName(name)), failure);
        failure = delete("DeleteEndpointConfig", configName,
                () -> session.sageMaker().deleteEndpointConfig(r -> r.endpointConfigName(configName)), failure);
        failure = delete("DeleteModel", modelName, () -> session.sageMaker().deleteModel(r -> r.modelName(modelName)), failure);
        if (failure != null) {
            throw failure;
        }
    }

    private static SageMakerException delete(String operation, String what, Runnable call, SageMakerException failure) {
        if (what == null) {
            return failure;
        }
        try {
            call.run();
            LOG.info("{} {}", operation, what);
            return failure;
        } catch (AwsServiceException e) {
            String message = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
            if (e.statusCode() == 400 && (message.contains("Could not find") || message.contains("not found")
                    || message.contains("does not exist"))) {
                return failure; // already gone
            }
            return add(failure, AwsErrors.translate(operation, what, e));
        } catch (SdkException e) {
            return add(failure, AwsErrors.translate(operation, what, e));
        }
    }

    private static SageMakerException add(SageMakerException first, SageMakerException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public String toString() {
        return "Endpoint{" + name + "}";
    }

}

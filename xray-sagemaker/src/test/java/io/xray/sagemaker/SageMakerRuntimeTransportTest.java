package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.predict.EndpointException;
import io.xray.predict.EndpointTransport;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runtime transport against a loopback stub answering as SageMaker's runtime does. */
class SageMakerRuntimeTransportTest {

    static final String PATH = "/endpoints/xray-pneumonia/invocations";

    final AwsStub stub = new AwsStub();
    final SageMakerSession session = stub.session(3);
    final SageMakerRuntimeTransport transport = SageMakerRuntimeTransport.of(session.runtime(), "xray-pneumonia");

    @AfterEach
    void close() {
        session.close();
        stub.close();
    }

    @Test
    void invoke_shouldSendBodyTypesAndReturnTheAnswer() {
        stub.on(PATH, new AwsStub.Reply(200, "application/json", null, AwsStub.utf8("{\"predictions\":[]}")));

        EndpointTransport.Response response = transport.invoke(new byte[] {1, 2, 3}, "image/jpeg", "application/json");

        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body())).isEqualTo("{\"predictions\":[]}");
        AwsStub.Request request = stub.requests(PATH).get(0);
        assertThat(request.body()).containsExactly(1, 2, 3);
        assertThat(request.header("Content-Type")).isEqualTo("image/jpeg");
        assertThat(request.header("Accept")).isEqualTo("application/json");
    }

    @Test
    void payloadOverSixMegabytes_shouldBeRefusedBeforeSending() {
        byte[] big = new byte[(int) SageMakerRuntimeTransport.MAX_PAYLOAD_BYTES + 1];

        assertThatThrownBy(() -> transport.invoke(big, "image/jpeg", "application/json"))
                .isInstanceOf(EndpointException.class)
                .hasMessageContaining("6291457 bytes exceeds SageMaker's real-time limit");
        assertThat(stub.requests).isEmpty();
    }

    @Test
    void modelError_shouldKeepTheContainersStatusAndMessage() {
        stub.on(PATH, AwsStub.Reply.error(424, "ModelError", Map.of("message", "Received client error (415) from model",
                "OriginalStatusCode", 415, "OriginalMessage", "{\"message\":\"unsupported Content-Type text/html\"}",
                "LogStreamArn", "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/xray-pneumonia")));

        assertThatThrownBy(() -> transport.invoke(new byte[] {1}, "text/html", "application/json"))
                .isInstanceOfSatisfying(SageMakerEndpointException.class, e -> {
                    assertThat(e.status()).isEqualTo(424);
                    assertThat(e.errorCode()).hasValue("ModelError");
                    assertThat(e.originalStatus()).hasValue(415);
                    assertThat(e.requestId()).isPresent();
                })
                .hasMessageContaining("ModelError: the model container answered HTTP 415")
                .hasMessageContaining("unsupported Content-Type text/html")
                .hasMessageContaining("log-group:/aws/sagemaker/Endpoints/xray-pneumonia");
        assertThat(stub.requests(PATH)).hasSize(1); // a model error is not retried
    }

    @Test
    void modelNotReady_shouldBeRetriedThenSaySo() {
        stub.on(PATH, AwsStub.Reply.error(429, "ModelNotReadyException", "Model is not ready"));

        assertThatThrownBy(() -> transport.invoke(new byte[] {1}, "image/jpeg", "application/json"))
                .isInstanceOfSatisfying(SageMakerEndpointException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.errorCode()).hasValue("ModelNotReady");
                })
                .hasMessageContaining("not ready");
        assertThat(stub.requests(PATH)).hasSize(3);
    }

    @Test
    void throttling_shouldBeRetriedAndSucceed() {
        stub.on(PATH, AwsStub.Reply.error(400, "ThrottlingException", "Rate exceeded"),
                new AwsStub.Reply(200, "application/json", null, AwsStub.utf8("{}")));

        assertThat(transport.invoke(new byte[] {1}, "image/jpeg", "application/json").status()).isEqualTo(200);
        assertThat(stub.requests(PATH)).hasSize(2);
    }

    @Test
    void validationError_shouldSuggestCheckingTheEndpoint() {
        stub.on(PATH, AwsStub.Reply.error(400, "ValidationError", "Endpoint xray-pneumonia of account 123456789012 not found."));

        assertThatThrownBy(() -> transport.invoke(new byte[] {1}, "image/jpeg", "application/json"))
                .isInstanceOfSatisfying(SageMakerEndpointException.class, e -> assertThat(e.errorCode()).hasValue("ValidationError"))
                .hasMessageContaining("not found")
                .hasMessageContaining("does endpoint 'xray-pneumonia' exist");
    }

    @Test
    void badEndpointName_shouldBeRefused() {
        assertThatThrownBy(() -> SageMakerRuntimeTransport.of(session.runtime(), "bad_name"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("endpointName"));
    }
}

package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EndpointsCommandTest {

    @Test
    void maxIdleUnderAnHour_shouldBeABadInputLine() {
        CliRun run = CliRun.run("endpoints", "sweep", "--region", "eu-west-1", "--max-idle-hours", "0");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--max-idle-hours': must be at least 1, was 0");
    }

    @Test
    void noRegionAnywhere_shouldAskForTheOptionNotForJavaCode(@TempDir Path temp) {
        assumeTrue(System.getenv("AWS_REGION") == null, "AWS_REGION is set: the SDK finds a region");
        // No region property, a profile file without one, and no instance metadata to ask.
        String region = System.clearProperty("aws.region");
        String config = System.setProperty("aws.configFile", temp.resolve("no-config").toString());
        String metadata = System.setProperty("aws.disableEc2Metadata", "true");
        try {
            CliRun run = CliRun.run("endpoints", "sweep", "--dry-run");

            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err()).startsWith("xray: --region: ").contains("--region eu-west-1", "AWS_REGION")
                    .doesNotContain("Region.of");
        } finally {
            restore("aws.region", region);
            restore("aws.configFile", config);
            restore("aws.disableEc2Metadata", metadata);
        }
    }

    @Test
    void awsRefusingTheCall_shouldSayWhatItAnswered() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform: sagemaker:ListEndpoints\"}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(400, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String key = System.setProperty("aws.accessKeyId", "AKIDCLI");
        String secret = System.setProperty("aws.secretAccessKey", "cli-secret");
        try {
            CliRun run = CliRun.run("endpoints", "sweep", "--region", "eu-west-1", "--dry-run", "--max-attempts", "1",
                    "--sagemaker-endpoint", "http://127.0.0.1:" + server.getAddress().getPort());

            assertThat(run.status()).isEqualTo(2);
            assertThat(run.err()).startsWith("xray: ListEndpoints (eu-west-1) failed: AccessDeniedException")
                    .contains("lacks the IAM permission sagemaker:ListEndpoints").doesNotContain("cli-secret");
        } finally {
            restore("aws.accessKeyId", key);
            restore("aws.secretAccessKey", secret);
            server.stop(0);
        }
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}

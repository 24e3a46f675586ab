package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The sweep against a stub answering SageMaker (JSON 1.1) and CloudWatch (AWS Query, XML):
 * expired and idle xray endpoints go, busy, young and foreign ones stay.
 */
class EndpointSweeperTest {

    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    static final double HOURS_AGO_10 = NOW.minus(Duration.ofHours(10)).getEpochSecond();
    static final double HOUR_AGO = NOW.minus(Duration.ofHours(1)).getEpochSecond();

    final AwsStub stub = new AwsStub();
    SageMakerSession session;

    @BeforeEach
    void start() {
        session = SageMakerSession.builder().region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSWEEP", "secret")))
                .sageMakerEndpoint(stub.uri()).cloudWatchEndpoint(stub.uri())
                .throttlingBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).build();
        stub.on("ListEndpoints", AwsStub.Reply.json(Map.of("Endpoints", List.of(
                summary("xray-old", HOURS_AGO_10), summary("xray-idle", HOURS_AGO_10), summary("xray-busy", HOURS_AGO_10),
                summary("someone-else", HOURS_AGO_10), summary("xray-young", HOUR_AGO)))));
        stub.handle("ListTags", request -> {
            String arn = request.json().get("ResourceArn").asText();
            String name = arn.substring(arn.lastIndexOf('/') + 1);
            if (name.equals("someone-else")) {
                return AwsStub.Reply.json(Map.of("Tags", List.of(Map.of("Key", "team", "Value", "ml"))));
            }
            String expires = name.equals("xray-old") ? "2026-11-29T11:00:00Z" : "2026-12-01T00:00:00Z";
            return AwsStub.Reply.json(Map.of("Tags", List.of(Map.of("Key", "xray:created-by", "Value", "xray"),
                    Map.of("Key", "xray:expires", "Value", expires))));
        });
        stub.handle("GetMetricStatistics", request -> {
            String form = URLDecoder.decode(new String(request.body(), StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            double sum = form.contains("Value=xray-busy") ? 42 : 0;
            return AwsStub.xml("<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                    + "<GetMetricStatisticsResult><Label>Invocations</Label><Datapoints><member>"
                    + "<Timestamp>2026-11-29T06:00:00Z</Timestamp><Sum>" + sum + "</Sum><Unit>None</Unit>"
                    + "</member></Datapoints></GetMetricStatisticsResult>"
                    + "<ResponseMetadata><RequestId>cw-1</RequestId></ResponseMetadata></GetMetricStatisticsResponse>");
        });
        stub.handle("DescribeEndpoint", request -> AwsStub.Reply.json(Map.of("EndpointName",
                request.json().get("EndpointName").asText(), "EndpointArn", "arn:e", "EndpointConfigName",
                request.json().get("EndpointName").asText() + "-config", "EndpointStatus", "InService",
                "CreationTime", HOURS_AGO_10, "LastModifiedTime", HOURS_AGO_10)));
        stub.handle("DescribeEndpointConfig", request -> AwsStub.Reply.json(Map.of("EndpointConfigName",
                request.json().get("EndpointConfigName").asText(), "EndpointConfigArn", "arn:c", "CreationTime", HOURS_AGO_10,
                "ProductionVariants", List.of(Map.of("VariantName", "AllTraffic", "ModelName",
                        request.json().get("EndpointConfigName").asText().replace("-config", "-model"))))));
        stub.on("DeleteEndpoint", AwsStub.Reply.json(Map.of())).on("DeleteEndpointConfig", AwsStub.Reply.json(Map.of()))
                .on("DeleteModel", AwsStub.Reply.json(Map.of()));
    }

    @AfterEach
    void stop() {
        session.close();
        stub.close();
    }

    static Map<String, Object> summary(String name, double created) {
        return Map.of("EndpointName", name, "EndpointArn", "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/" + name,
                "CreationTime", created, "LastModifiedTime", created, "EndpointStatus", "InService");
    }

    EndpointSweeper sweeper(boolean dryRun) {
        return EndpointSweeper.builder(session).maxIdle(Duration.ofHours(6)).dryRun(dryRun)
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    @Test
    void dryRun_shouldReportExpiredAndIdleEndpointsAndDeleteNothing() {
        List<EndpointSweeper.Decision> decisions = sweeper(true).sweep();

        assertThat(decisions).extracting(d -> d.endpointName() + " " + d.action() + " " + d.reason()).containsExactly(
                "xray-old DELETE expired at 2026-11-29T11:00:00Z",
                "xray-idle DELETE no invocations in the last 6 h",
                "xray-busy KEEP in use and within its time to live",
                "xray-young KEEP in use and within its time to live");
        assertThat(decisions).noneMatch(EndpointSweeper.Decision::deleted);
        assertThat(stub.requests.stream().map(AwsStub.Request::target).filter(t -> t.startsWith("Delete"))).isEmpty();
        assertThat(stub.requests("GetMetricStatistics")).hasSize(2); // idle and busy; young is too young
        String form = URLDecoder.decode(new String(stub.requests("GetMetricStatistics").get(0).body(), StandardCharsets.UTF_8),
                StandardCharsets.UTF_8);
        assertThat(form).contains("Namespace=AWS/SageMaker", "MetricName=Invocations", "Value=xray-idle", "Value=AllTraffic",
                "Period=21600", "Statistics.member.1=Sum");
    }

    @Test
    void sweep_shouldDeleteEndpointConfigAndModelOfExpiredAndIdleEndpointsOnly() {
        List<EndpointSweeper.Decision> decisions = sweeper(false).sweep();

        assertThat(decisions).filteredOn(EndpointSweeper.Decision::deleted).extracting(EndpointSweeper.Decision::endpointName)
                .containsExactly("xray-old", "xray-idle");
        assertThat(stub.requests("DeleteEndpoint")).extracting(r -> r.json().get("EndpointName").asText())
                .containsExactly("xray-old", "xray-idle");
        assertThat(stub.requests("DeleteEndpointConfig")).extracting(r -> r.json().get("EndpointConfigName").asText())
                .containsExactly("xray-old-config", "xray-idle-config");
        assertThat(stub.requests("DeleteModel")).extracting(r -> r.json().get("ModelName").asText())
                .containsExactly("xray-old-model", "xray-idle-model");
    }

    @Test
    void maxIdleUnderAnHour_shouldBeRefused() {
        TrainingJobTest.assertField(() -> EndpointSweeper.builder(session).maxIdle(Duration.ofMinutes(30)).build(),
                "maxIdle", "at least 1 h");
    }
}

package io.xray.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.xray.InvalidConfigurationException;
import io.xray.testing.TestImages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {"url": ...} requests. Two small JDK HTTP servers on loopback: "images" (the one allowed origin,
 * opened to the fetcher through the package-private, test-only loopback opt-in for its exact port)
 * and "target" (a private address that must never be reached; it counts every request).
 */
@Timeout(20)
class UrlFetchTest {

    static HttpServer images;
    static ExecutorService imageThreads;
    static HttpServer target;
    static final AtomicInteger targetHits = new AtomicInteger();
    static ModelServer server;
    static int port;
    static final byte[] JPEG = TestImages.jpeg();

    @BeforeAll
    static void start() throws Exception {
        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            targetHits.incrementAndGet();
            exchange.sendResponseHeaders(200, JPEG.length);
            exchange.getResponseBody().write(JPEG);
            exchange.close();
        });
        target.start();
        int targetPort = target.getAddress().getPort();

        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/image.jpg", exchange -> {
            exchange.sendResponseHeaders(200, JPEG.length);
            exchange.getResponseBody().write(JPEG);
            exchange.close();
        });
        redirect("/to-private", "http://localhost:" + targetPort + "/image.jpg");
        redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/");
        redirect("/to-self", "/image.jpg");
        images.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no declared length
            exchange.getResponseBody().write(new byte[5000]);
            exchange.close();
        });
        images.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, JPEG.length);
            exchange.getResponseBody().write(JPEG);
            exchange.close();
        });
        // The JDK server runs handlers on its dispatcher thread unless given an executor: /slow's
        // 3 s sleep would then hold back whichever test asks next (seen as a flaky 504 under load).
        imageThreads = Executors.newCachedThreadPool();
        images.setExecutor(imageThreads);
        images.start();

        UrlFetchPolicy policy = UrlFetchPolicy.builder()
                .allowHost("127.0.0.1")
                .allowHost("localhost")
                .allowHost("169.254.169.254")
                .maxBytes(4000)
                .timeout(Duration.ofMillis(1500))
                .allowLoopbackPortForTests(images.getAddress().getPort())
                .build();
        server = ModelServer.builder().model(new MeanPixelModel()).host("127.0.0.1").port(0)
                .urlFetching(policy).build().start();
        port = server.port();
    }

    private static void redirect(String path, String location) {
        images.createContext(path, exchange -> {
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
    }

    @AfterAll
    static void stop() {
        server.close();
        images.stop(0);
        imageThreads.shutdownNow();
        target.stop(0);
    }

    @AfterEach
    void targetNeverReachedAndServerHealthy() {
        assertThat(targetHits.get()).as("requests that reached the private target").isZero();
        assertThat(Http.get(port, "/ping").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<byte[]> postUrl(String url) {
        return Http.post(port, "application/json", null, ("{\"url\": \"" + url + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(HttpResponse<byte[]> response, int status, String... messageParts) {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        JsonNode body = Http.json(response);
        assertThat(body.get("message").asText()).contains(messageParts);
    }

    private static String images(String path) {
        return "http://127.0.0.1:" + images.getAddress().getPort() + path;
    }

    @Test
    void allowedUrl_shouldGiveTheSamePredictionAsTheBytes() {
        HttpResponse<byte[]> viaUrl = postUrl(images("/image.jpg"));
        HttpResponse<byte[]> direct = Http.post(port, "image/jpeg", null, JPEG);

        assertThat(viaUrl.statusCode()).isEqualTo(200);
        assertThat(Http.json(viaUrl).get("predictions").get(0).get("probability").asDouble())
                .isCloseTo(Http.json(direct).get("predictions").get(0).get("probability").asDouble(), within(1e-12));
        assertThat(postUrl(images("/to-self")).statusCode()).as("a redirect within the allowed origin").isEqualTo(200);
    }

    @Test
    void metadataAddress_shouldBeRefusedEvenWhenAllowListed() {
        assertRefused(postUrl("http://169.254.169.254/latest/meta-data/iam/"), 403, "169.254.169.254", "link-local");
    }

    @Test
    void loopbackAddress_shouldBeRefusedEvenWhenAllowListed() {
        assertRefused(postUrl("http://127.0.0.1/"), 403, "loopback");
        assertRefused(postUrl("http://127.0.0.1:" + target.getAddress().getPort() + "/image.jpg"), 403, "loopback");
    }

    @Test
    void redirectToAPrivateAddress_shouldBeRefusedBeforeConnecting() {
        assertRefused(postUrl(images("/to-private")), 403, "localhost", "loopback", "reached through a redirect");
        assertRefused(postUrl(images("/to-metadata")), 403, "link-local", "reached through a redirect");
    }

    @Test
    void hostNotOnTheAllowList_shouldBeRefused() {
        assertRefused(postUrl("http://example.invalid/x.jpg"), 403, "not on the URL allow-list");
        assertRefused(postUrl("file:///etc/passwd"), 403, "scheme 'file'");
        assertRefused(postUrl("http://user:pw@127.0.0.1/"), 403, "user information");
        assertRefused(postUrl("not a url"), 400, "malformed URL");
    }

    @Test
    void oversizedRemoteImage_shouldBeRefusedAtTheLimit() {
        assertRefused(postUrl(images("/big")), 413, "larger than the limit of 4000 bytes");
    }

    @Test
    void slowRemote_shouldTimeOut() {
        long start = System.nanoTime();
        assertRefused(postUrl(images("/slow")), 504, "took longer than 1500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void addressRules_shouldRefuseEveryNonPublicRange() {
        String[] refused = {
            "0.0.0.0", "127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "100.100.100.200", "192.0.0.1", "198.18.0.1", "224.0.0.1",
            "255.255.255.255", "::", "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1",
            "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:7f00:0001::1", "2001:db8::1",
        };
        for (String address : refused) {
            assertThat(AddressRules.refusal(AddressRules.literal(address))).as(address).isNotNull();
        }
        for (String address : new String[] {"8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"}) {
            assertThat(AddressRules.refusal(AddressRules.literal(address))).as(address).isNull();
        }
    }

    @Test
    void policyWithoutHosts_shouldNotBuild() {
        assertThatThrownBy(() -> UrlFetchPolicy.builder().build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("allowHost:");
        assertThatThrownBy(() -> UrlFetchPolicy.builder().allowHost("a").timeout(Duration.ofMinutes(1)).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("timeout:");
        assertThat(UrlFetchPolicy.builder().allowHost("Images.Example.COM").build().allowedHosts())
                .containsExactly("images.example.com");
    }

    @Test
    void loopbackOriginWithoutTheTestOptIn_shouldBeRefused() throws IOException {
        UrlFetchPolicy production = UrlFetchPolicy.builder().allowHost("127.0.0.1").build();
        try (ModelServer strict = ModelServer.builder().model(new MeanPixelModel()).host("127.0.0.1").port(0)
                .urlFetching(production).build().start()) {
            HttpResponse<byte[]> response = Http.post(strict.port(), "application/json", null,
                    ("{\"url\": \"" + images("/image.jpg") + "\"}").getBytes(StandardCharsets.UTF_8));
            assertRefused(response, 403, "loopback");
        }
    }
}

package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real browser: Debian's {@code chromium} driven headless by its
 * {@code chromium-driver} through Selenium, against {@code xray serve --demo} started in this JVM
 * on a loopback port, with a model trained here by {@code xray train} on the shipped samples at
 * 128 px (so that Grad-CAM's {@code layer4} grid is 4 x 4). A shipped test X-ray is uploaded; the
 * label, the probability and the heat map must appear, with no error in the browser's console. A
 * screenshot goes to {@code target/demo-page.png}.
 *
 * <p>Selenium is given the driver's path, so Selenium Manager never looks for a driver on the
 * network. Without the two packages ({@code .ci/run} installs them as root with apt-get) the test
 * is skipped with a line saying why.
 */
@Timeout(240)
class DemoPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SAMPLE = Path.of("..", "sample-data", "chest_xray");
    static final Pattern READY = Pattern.compile("ready at (http://127\\.0\\.0\\.1:(\\d+))/invocations");

    @TempDir
    static Path temp;

    static Path model;
    static String skipReason;

    @BeforeAll
    static void browserAndModel() {
        String missing = !Files.isExecutable(CHROMIUM) ? CHROMIUM.toString()
                : !Files.isExecutable(CHROMEDRIVER) ? CHROMEDRIVER.toString() : null;
        if (missing != null) {
            skipReason = "DemoPageBrowserTest skipped: " + missing + " is not installed"
                    + " (apt-get install chromium chromium-driver; .ci/run does it as root)";
            System.out.println(skipReason);
            return;
        }
        Path output = temp.resolve("run");
        CliRun trained = CliRun.run("train", "--data", SAMPLE.toString(), "--output", output.toString(),
                "--backbone", "scratch:8,16,32,64", "--image-size", "128", "--resize", "144", "--batch-size", "16",
                "--epochs", "2", "--learning-rate", "0.003", "--val-fraction", "0.2", "--seed", "3", "--device", "cpu",
                "--progress-every", "0");
        assertThat(trained.status()).as(trained.err()).isZero();
        model = output.resolve("model");
    }

    @Test
    void demoPage_uploadingASample_shouldShowTheLabelAndAHeatMapWithoutConsoleErrors() throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger status = new AtomicInteger(-1);
        Thread serving = new Thread(() -> status.set(XrayCli.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "serve", "--model", model.toString(), "--host", "127.0.0.1", "--port", "0", "--worker-threads", "2",
                "--demo")), "xray-serve-demo-test");
        serving.start();
        String base = ServeCommandTest.awaitMatch(out, READY, serving);
        assertThat(out.toString()).contains("demo page at " + base + "/");

        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1100,820", "--user-data-dir=" + temp.resolve("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(base + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            wait.until(d -> d.findElement(By.id("model-id")).getText().startsWith("model-"));
            assertThat(driver.findElement(By.id("model")).getText()).contains("trained", "validation", "F1");

            Path xray = SAMPLE.resolve("test/PNEUMONIA").toAbsolutePath().normalize();
            try (var files = Files.list(xray)) {
                xray = files.sorted().findFirst().orElseThrow();
            }
            driver.findElement(By.id("file")).sendKeys(xray.toString());

            wait.until(d -> List.of("NORMAL", "PNEUMONIA").contains(d.findElement(By.id("label")).getText()));
            WebElement heatMap = driver.findElement(By.id("heatmap"));
            wait.until(d -> heatMap.isDisplayed() && ((Number) ((JavascriptExecutor) d)
                    .executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0", heatMap)).intValue() > 0);
            long naturalWidth = ((Number) driver.executeScript("return arguments[0].naturalWidth", heatMap)).longValue();
            assertThat(naturalWidth).as("overlay: the image plus its legend").isGreaterThan(224);
            assertThat(driver.findElement(By.id("probability")).getText()).matches("0\\.\\d{3}|1\\.000");
            assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();

            Path screenshot = Path.of("target", "demo-page.png");
            Files.createDirectories(screenshot.getParent());
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("demo page screenshot: " + screenshot.toAbsolutePath());

            List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
            assertThat(console.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList())
                    .as("console errors").isEmpty();
        } finally {
            driver.quit();
            serving.interrupt();
            serving.join(30_000);
        }
        assertThat(status.get()).as(err.toString()).isZero();
    }
}

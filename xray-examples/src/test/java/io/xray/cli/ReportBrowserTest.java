package io.xray.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xray.testing.SyntheticXrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The HTML reports in a real browser, opened from their files (no server, no network): Debian's
 * {@code chromium} driven headless by {@code chromium-driver} through Selenium, as in
 * {@link DemoPageBrowserTest}. The report of a tiny {@code xray train} run and of a 4-trial
 * {@code xray tune} run must draw a uPlot chart in every chart placeholder, with no error in the
 * browser's console. Screenshots go to {@code target/}. Without the two packages the test is
 * skipped with a line saying why.
 */
@Timeout(240)
class ReportBrowserTest {

    @TempDir
    static Path temp;

    static Path trainRun;
    static Path tuneRun;
    static String skipReason;

    @BeforeAll
    static void runs() {
        String missing = !Files.isExecutable(DemoPageBrowserTest.CHROMIUM) ? DemoPageBrowserTest.CHROMIUM.toString()
                : !Files.isExecutable(DemoPageBrowserTest.CHROMEDRIVER) ? DemoPageBrowserTest.CHROMEDRIVER.toString() : null;
        if (missing != null) {
            skipReason = "ReportBrowserTest skipped: " + missing + " is not installed"
                    + " (apt-get install chromium chromium-driver; .ci/run does it as root)";
            System.out.println(skipReason);
            return;
        }
        Path data = temp.resolve("chest_xray");
        SyntheticXrays.writeImages(data.resolve("train"), 20, 0);
        trainRun = temp.resolve("train");
        CliRun trained = ReportCommandTest.train(data, trainRun);
        assertThat(trained.status()).as(trained.err()).isZero();
        tuneRun = temp.resolve("tune");
        CliRun tuned = CliRun.run("tune", "--command", "echo Val_f1={x}; echo Val_f1=0.1", "--metric-regex",
                "Val_f1=([0-9.]+)", "--param", "x=log:0.01:1", "--param", "mode=cat:a,b", "--trials", "4",
                "--strategy", "random", "--out", tuneRun.toString());
        assertThat(tuned.status()).as(tuned.err()).isZero();
    }

    @Test
    void reports_openedFromTheirFiles_shouldDrawEveryChartWithoutConsoleErrors() throws Exception {
        Assumptions.assumeTrue(skipReason == null, skipReason);
        System.setProperty("webdriver.chrome.driver", DemoPageBrowserTest.CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(DemoPageBrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,2400", "--user-data-dir=" + temp.resolve("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DemoPageBrowserTest.CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            for (Path run : List.of(trainRun, tuneRun)) {
                driver.get(run.resolve("report.html").toUri().toString());
                int placeholders = driver.findElements(By.cssSelector("[data-chart]")).size();
                assertThat(placeholders).as(run + ": chart placeholders").isGreaterThanOrEqualTo(4);
                new WebDriverWait(driver, Duration.ofSeconds(30)).until(d ->
                        d.findElements(By.cssSelector("[data-chart] .uplot canvas")).size() == placeholders);
                Path screenshot = Path.of("target", "report-" + run.getFileName() + ".png");
                Files.createDirectories(screenshot.getParent());
                Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
                List<LogEntry> console = driver.manage().logs().get(LogType.BROWSER).getAll();
                assertThat(console).as(run + ": console messages").isEmpty();
            }
        } finally {
            driver.quit();
        }
    }
}

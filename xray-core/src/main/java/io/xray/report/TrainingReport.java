package io.xray.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.debug.DebugFiles;
import io.xray.metrics.BinaryMetrics;
import io.xray.metrics.ConfusionMatrix;
import io.xray.metrics.Curves;
import io.xray.metrics.PrecisionRecallCurve;
import io.xray.metrics.RocCurve;
import io.xray.model.ModelArtifact;
import io.xray.train.RunRecord;
import io.xray.train.TrainingRecipe;
import io.xray.train.ValidationScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The report of one training run: its sections, in order. */
final class TrainingReport {

    /** The threshold table's fixed rows; the stored threshold is added among them. */
    static final double[] TABLE_THRESHOLDS = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65,
        0.7, 0.75, 0.8, 0.85, 0.9, 0.95};
    /** At most this many points per curve or time series (ROC, PR, CPU, memory): enough to see, small to embed. */
    static final int MAX_POINTS = 600;
    static final int HISTOGRAM_BINS = 30;

    private final RunRecord run;
    private final Optional<ModelArtifact> artifact;
    private final Scores scores;
    private final Page page;

    /**
     * The validation scores, or why there are none.
     *
     * @param scores the scores, null when unavailable
     * @param reason why they are unavailable, null when available
     */
    record Scores(ValidationScores scores, String reason) {}

    private TrainingReport(RunRecord run, Scores scores) {
        this.run = run;
        this.artifact = run.modelDirectory().map(ModelArtifact::read);
        this.scores = scores;
        this.page = new Page("xray run report: " + run.name(), "training");
    }

    static String render(RunRecord run, Scores scores) {
        TrainingReport report = new TrainingReport(run, scores);
        report.summary();
        report.trainingCurves();
        report.validation();
        report.debugger();
        report.profiler();
        return report.page.html();
    }

    private OptionalThreshold threshold() {
        if (run.threshold().isPresent()) {
            return new OptionalThreshold(run.threshold().getAsDouble(),
                    artifact.map(ModelArtifact::thresholdRule).orElse("recorded in run.json"));
        }
        return artifact.map(a -> new OptionalThreshold(a.threshold(), a.thresholdRule())).orElse(null);
    }

    private record OptionalThreshold(double value, String rule) {}

    private void summary() {
        page.openSection("summary", "Run");
        ObjectNode node = page.data().putObject("run");
        node.put("name", run.name());
        node.put("directory", run.directory().toAbsolutePath().normalize().toString());
        node.put("status", run.status().name());
        node.put("started", run.started());
        node.put("finished", run.finished().orElse(null));
        node.put("seconds", run.seconds());
        node.put("bestEpoch", run.bestEpoch());
        node.put("epochs", run.epochs().size());
        OptionalThreshold threshold = threshold();
        if (threshold != null) {
            node.put("threshold", threshold.value());
            node.put("thresholdRule", threshold.rule());
        }
        ObjectNode hyperparameters = page.data().putObject("hyperparameters");
        run.hyperparameters().forEach(hyperparameters::put);
        ObjectNode environment = page.data().putObject("environment");
        run.environment().forEach(environment::put);

        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("status", run.status().name().toLowerCase(java.util.Locale.ROOT)
                + (run.message().isEmpty() ? "" : ": " + run.message())));
        rows.add(List.of("started", run.started()));
        rows.add(List.of("finished", run.finished().orElse("-")));
        rows.add(List.of("time", Page.format(run.seconds(), 1) + " s"));
        rows.add(List.of("best epoch", run.bestEpoch() + " of " + run.epochs().size()));
        if (threshold != null) {
            rows.add(List.of("threshold", Page.format(threshold.value(), 4) + " (" + threshold.rule() + ")"));
        }
        artifact.ifPresent(a -> {
            BinaryMetrics m = a.validationMetrics();
            rows.add(List.of("validation at the threshold", String.format(java.util.Locale.ROOT,
                    "F1 %.4f, accuracy %.4f, sensitivity %.4f, specificity %.4f, ROC AUC %.4f, %d images",
                    m.f1(), m.accuracy(), m.recall(), m.specificity(), m.rocAuc(), m.count())));
            if (a.thresholdCalibration() != null) {
                rows.add(List.of("threshold chosen on", a.thresholdCalibration().images()
                        + " calibration images set aside from test"));
            }
        });
        Map<String, String> differences;
        try {
            differences = run.differencesFrom(TrainingRecipe.defaults());
        } catch (RuntimeException e) {
            differences = Map.of();
        }
        List<String> changed = new ArrayList<>();
        differences.forEach((k, v) -> changed.add(k + "=" + v));
        rows.add(List.of("recipe vs default", changed.isEmpty() ? "(default)" : String.join(" ", changed)));
        Map<String, String> env = run.environment();
        rows.add(List.of("environment", String.format("xray %s, DJL %s, PyTorch %s, %s, %s cores, %s",
                env.getOrDefault("xray", "?"), env.getOrDefault("djl", "?"), env.getOrDefault("pytorch", "?"),
                env.getOrDefault("cpu", "?"), env.getOrDefault("cores", "?"), env.getOrDefault("java", "?"))));
        page.table("summary", List.of(), rows, Set.of());
        page.closeSection();
    }

    private void trainingCurves() {
        page.openSection("training-curves", "Training curves");
        List<Map<String, Double>> epochs = run.epochs();
        ArrayNode list = page.data().putArray("epochs");
        for (Map<String, Double> epoch : epochs) {
            ObjectNode e = list.addObject();
            epoch.forEach((k, v) -> {
                if (v == null || !Double.isFinite(v)) {
                    e.putNull(k);
                } else if (k.equals("epoch") || k.equals("Best_epoch") || k.equals("Patience")) {
                    e.put(k, v.intValue());
                } else {
                    e.put(k, v);
                }
            });
        }
        if (epochs.isEmpty()) {
            page.notAvailable("the run recorded no finished epoch in " + RunRecord.METRICS_FILE);
            page.closeSection();
            return;
        }
        double[] x = column(epochs, "epoch");
        ObjectNode loss = page.chart("loss", "Loss", "epoch", x, "binary cross-entropy");
        Page.series(loss, "train (augmented, during the epoch)", column(epochs, "Train_loss"), "line");
        Page.series(loss, "validation", column(epochs, "Val_loss"), "line");
        ObjectNode validation = page.chart("validation-metrics", "Validation AUC and F1 (F1 at 0.5)", "epoch", x, "");
        Page.series(validation, "ROC AUC", column(epochs, "Val_auc"), "line");
        Page.series(validation, "F1", column(epochs, "Val_f1"), "line");
        ObjectNode rate = page.chart("learning-rate", "Learning rate at each epoch's last step", "epoch", x, "learning rate");
        Page.series(rate, "learning rate", column(epochs, "Learning_rate"), "line");
        ObjectNode speed = page.chart("throughput", "Training throughput", "epoch", x, "images/s");
        Page.series(speed, "images/s", column(epochs, "Images_per_second"), "line");
        page.chartsRow("loss", "validation-metrics");
        page.chartsRow("learning-rate", "throughput");
        List<List<String>> rows = new ArrayList<>();
        Set<Integer> best = new HashSet<>();
        for (int i = 0; i < epochs.size(); i++) {
            Map<String, Double> e = epochs.get(i);
            if (e.getOrDefault("epoch", -1.0).intValue() == run.bestEpoch()) {
                best.add(i);
            }
            rows.add(List.of(Integer.toString(e.getOrDefault("epoch", Double.NaN).intValue()),
                    Page.format(value(e, "Train_loss"), 4), Page.format(value(e, "Val_loss"), 4),
                    Page.format(value(e, "Val_auc"), 4), Page.format(value(e, "Val_f1"), 4),
                    String.format(java.util.Locale.ROOT, "%.3g", value(e, "Learning_rate")),
                    Page.format(value(e, "Images_per_second"), 1), Page.format(value(e, "Seconds"), 1)));
        }
        page.table("epochs", List.of("epoch", "train loss", "val loss", "val AUC", "val F1 (0.5)", "learning rate",
                "images/s", "seconds"), rows, best);
        page.paragraph("The best epoch (highlighted) is the one the model was taken from.");
        page.closeSection();
    }

    private void validation() {
        ObjectNode node = page.data().putObject("validation");
        OptionalThreshold threshold = threshold();
        String reason = scores.reason();
        if (reason == null && threshold == null) {
            reason = "the run has no stored threshold yet (it has not finished)";
        }
        ValidationScores v = scores.scores();
        if (reason == null) {
            double[] s = v.scores();
            int[] labels = v.labels();
            int positives = Arrays.stream(labels).sum();
            if (positives == 0 || positives == labels.length) {
                reason = "the validation scores hold only one class";
            } else {
                writeValidation(node, s, labels, positives, threshold, v.source());
                return;
            }
        }
        node.put("available", false);
        node.put("reason", reason);
        for (String[] section : new String[][] {{"roc-pr", "ROC and precision-recall curves"},
                {"confusion-matrix", "Confusion matrix at the stored threshold"}, {"thresholds", "Thresholds"}}) {
            page.openSection(section[0], section[1]);
            page.notAvailable(reason);
            page.closeSection();
        }
    }

    private void writeValidation(ObjectNode node, double[] s, int[] labels, int positives,
            OptionalThreshold threshold, String source) {
        BinaryMetrics atThreshold = BinaryMetrics.compute(s, labels, threshold.value());
        node.put("available", true);
        node.put("source", source);
        node.put("images", labels.length);
        node.put("positives", positives);
        node.put("threshold", threshold.value());
        node.put("thresholdRule", threshold.rule());
        node.put("rocAuc", atThreshold.rocAuc());
        node.put("averagePrecision", atThreshold.prAuc());
        String origin = source.equals("training")
                ? "the scores the trainer computed with the final model"
                : "scores recomputed from the saved model (" + source + ")";

        page.openSection("roc-pr", "ROC and precision-recall curves");
        page.paragraph(String.format(java.util.Locale.ROOT,
                "%d validation images (%d PNEUMONIA, %d NORMAL), %s. ROC AUC %.4f, average precision %.4f;"
                        + " the marked point is the stored threshold %.4f.",
                labels.length, positives, labels.length - positives, origin, atThreshold.rocAuc(),
                atThreshold.prAuc(), threshold.value()));
        RocCurve roc = Curves.roc(s, labels);
        int[] rocKeep = thin(roc.size(), operatingIndex(roc.thresholds(), threshold.value()));
        double[] fpr = pick(roc.falsePositiveRates(), rocKeep);
        double[] tpr = pick(roc.truePositiveRates(), rocKeep);
        ObjectNode rocNode = node.putObject("roc");
        Page.numbers(rocNode.putArray("falsePositiveRates"), fpr);
        Page.numbers(rocNode.putArray("truePositiveRates"), tpr);
        Page.numbers(rocNode.putArray("thresholds"), pick(roc.thresholds(), rocKeep));
        ObjectNode rocChart = page.chart("roc", "ROC curve", "1 - specificity", fpr,
                "sensitivity");
        Page.series(rocChart, "ROC", tpr, "line");
        Page.series(rocChart, "stored threshold", marker(roc.thresholds(), rocKeep, tpr, threshold.value()), "points");
        Page.range(rocChart, "x", 0, 1);
        Page.range(rocChart, "y", 0, 1);

        PrecisionRecallCurve pr = Curves.precisionRecall(s, labels);
        int[] prKeep = thin(pr.size(), operatingIndex(pr.thresholds(), threshold.value()));
        double[] recall = pick(pr.recalls(), prKeep);
        double[] precision = pick(pr.precisions(), prKeep);
        ObjectNode prNode = node.putObject("pr");
        Page.numbers(prNode.putArray("recalls"), recall);
        Page.numbers(prNode.putArray("precisions"), precision);
        Page.numbers(prNode.putArray("thresholds"), pick(pr.thresholds(), prKeep));
        ObjectNode prChart = page.chart("pr", "Precision-recall curve", "recall (sensitivity)", recall, "precision");
        Page.series(prChart, "precision-recall", precision, "line");
        Page.series(prChart, "stored threshold", marker(pr.thresholds(), prKeep, precision, threshold.value()), "points");
        Page.range(prChart, "x", 0, 1);
        Page.range(prChart, "y", 0, 1);
        page.chartsRow("roc", "pr");
        page.closeSection();

        page.openSection("confusion-matrix", "Confusion matrix at the stored threshold");
        ConfusionMatrix cm = atThreshold.confusion();
        ObjectNode confusion = node.putObject("confusion");
        confusion.put("truePositives", cm.truePositives());
        confusion.put("falsePositives", cm.falsePositives());
        confusion.put("trueNegatives", cm.trueNegatives());
        confusion.put("falseNegatives", cm.falseNegatives());
        page.paragraph(String.format(java.util.Locale.ROOT, "Threshold %.4f (%s) on the %d validation images:"
                        + " sensitivity %.4f, specificity %.4f, precision %.4f, F1 %.4f, accuracy %.4f.",
                threshold.value(), threshold.rule(), labels.length, cm.recall(), cm.specificity(), cm.precision(),
                cm.f1(), cm.accuracy()));
        page.raw("<table class=\"confusion\">\n<thead><tr><th></th><th>predicted PNEUMONIA</th>"
                + "<th>predicted NORMAL</th></tr></thead>\n<tbody>\n"
                + "<tr><th>actual PNEUMONIA</th><td data-count=\"truePositives\">" + cm.truePositives()
                + "</td><td data-count=\"falseNegatives\">" + cm.falseNegatives() + "</td></tr>\n"
                + "<tr><th>actual NORMAL</th><td data-count=\"falsePositives\">" + cm.falsePositives()
                + "</td><td data-count=\"trueNegatives\">" + cm.trueNegatives() + "</td></tr>\n"
                + "</tbody>\n</table>\n");
        page.closeSection();

        page.openSection("thresholds", "Thresholds");
        page.paragraph("Each row predicts PNEUMONIA when the score is at least the threshold; the highlighted row is"
                + " the model's stored threshold.");
        TreeSet<Double> values = new TreeSet<>();
        for (double t : TABLE_THRESHOLDS) {
            values.add(t);
        }
        values.add(threshold.value());
        ArrayNode table = node.putArray("thresholds");
        List<List<String>> rows = new ArrayList<>();
        Set<Integer> stored = new HashSet<>();
        for (double t : values) {
            ConfusionMatrix m = ConfusionMatrix.of(s, labels, t);
            boolean isStored = t == threshold.value();
            if (isStored) {
                stored.add(rows.size());
            }
            ObjectNode row = table.addObject();
            row.put("threshold", t);
            row.put("stored", isStored);
            row.put("sensitivity", m.recall());
            row.put("specificity", m.specificity());
            row.put("precision", m.precision());
            row.put("f1", m.f1());
            row.put("predictedPneumonia", m.truePositives() + m.falsePositives());
            rows.add(List.of(Page.format(t, 4), Page.format(m.recall(), 4), Page.format(m.specificity(), 4),
                    Page.format(m.precision(), 4), Page.format(m.f1(), 4),
                    Long.toString(m.truePositives() + m.falsePositives())));
        }
        page.table("thresholds", List.of("threshold", "sensitivity", "specificity", "precision", "F1",
                "predicted PNEUMONIA"), rows, stored);
        page.closeSection();
    }

    private void debugger() {
        page.openSection("debugger", "Debugger rules");
        Path file = run.directory().resolve("debug").resolve(DebugFiles.DEBUGGER_FILE);
        JsonNode debugger = readJson(file);
        if (debugger == null) {
            page.data().putNull("debugger");
            page.notAvailable("the run wrote no debug/" + DebugFiles.DEBUGGER_FILE
                    + " (the debugger was off, or the run has not finished)");
            page.closeSection();
            return;
        }
        page.data().set("debugger", debugger);
        int issues = 0;
        List<List<String>> rows = new ArrayList<>();
        Set<Integer> fired = new HashSet<>();
        for (JsonNode rule : debugger.path("rules")) {
            boolean issue = rule.path("status").asText().equals("IssuesFound");
            if (issue) {
                issues++;
                fired.add(rows.size());
            }
            rows.add(List.of(rule.path("rule").asText(), rule.path("status").asText(),
                    issue ? Long.toString(rule.path("step").asLong()) : "-",
                    issue ? Integer.toString(rule.path("epoch").asInt()) : "-",
                    Integer.toString(rule.path("triggers").asInt()), rule.path("evidence").asText(),
                    values(rule.path("values"))));
        }
        page.paragraph(String.format(java.util.Locale.ROOT,
                "%d of %d rules found issues; %d steps were inspected inside the network (%.2f s of inspection)."
                        + " Step and epoch are those of the first trigger.", issues, rows.size(),
                debugger.path("sampledSteps").asLong(), debugger.path("inspectionSeconds").asDouble()));
        page.table("debugger", List.of("rule", "status", "step", "epoch", "triggers", "evidence", "values"), rows, fired);
        page.closeSection();
    }

    private void profiler() {
        page.openSection("profiler", "Profiler");
        Path file = run.directory().resolve("debug").resolve(DebugFiles.PROFILER_FILE);
        JsonNode profiler = readJson(file);
        if (profiler == null) {
            page.data().putNull("profiler");
            page.notAvailable("the run wrote no debug/" + DebugFiles.PROFILER_FILE
                    + " (the profiler was off, or the run has not finished)");
            page.closeSection();
            return;
        }
        ObjectNode node = page.data().putObject("profiler");
        int cores = profiler.path("cores").asInt(1);
        double[] steps = doubles(profiler.path("stepSeconds"));
        node.put("cores", cores);
        node.put("secondsToFirstStep", profiler.path("secondsToFirstStep").asDouble(Double.NaN));
        node.put("cpuProcessP50", profiler.path("cpuProcessP50").asDouble(Double.NaN));
        node.put("cpuProcessP95", profiler.path("cpuProcessP95").asDouble(Double.NaN));
        node.put("cpuSystemP50", profiler.path("cpuSystemP50").asDouble(Double.NaN));
        node.put("cpuSystemP95", profiler.path("cpuSystemP95").asDouble(Double.NaN));
        node.put("maxThreads", profiler.path("maxThreads").asInt());
        node.put("steps", steps.length);
        node.set("rules", profiler.path("rules"));
        node.set("dataWaitShares", profiler.path("dataWaitShares"));

        double[] sorted = steps.clone();
        Arrays.sort(sorted);
        page.paragraph(String.format(java.util.Locale.ROOT,
                "%d steps, median %.3f s, 95th percentile %.3f s; first step done %.1f s after the start."
                        + " Process CPU median %.0f%% of one core (95th percentile %.0f%%) on %d cores; machine CPU"
                        + " median %.0f%%; up to %d threads.", steps.length, quantile(sorted, 0.5),
                quantile(sorted, 0.95), profiler.path("secondsToFirstStep").asDouble(Double.NaN),
                profiler.path("cpuProcessP50").asDouble(Double.NaN), profiler.path("cpuProcessP95").asDouble(Double.NaN),
                cores, profiler.path("cpuSystemP50").asDouble(Double.NaN), profiler.path("maxThreads").asInt()));
        List<List<String>> rows = new ArrayList<>();
        Set<Integer> fired = new HashSet<>();
        for (JsonNode rule : profiler.path("rules")) {
            boolean issue = rule.path("status").asText().equals("IssuesFound");
            if (issue) {
                fired.add(rows.size());
            }
            rows.add(List.of(rule.path("rule").asText(), rule.path("status").asText(),
                    issue && rule.path("epoch").asInt() > 0 ? Integer.toString(rule.path("epoch").asInt()) : "-",
                    rule.path("evidence").asText(), values(rule.path("values"))));
        }
        page.table("profiler-rules", List.of("rule", "status", "epoch", "evidence", "values"), rows, fired);

        List<String> chartIds = new ArrayList<>();
        if (steps.length > 0) {
            double[][] histogram = histogram(sorted, HISTOGRAM_BINS);
            ObjectNode h = node.putObject("stepHistogram");
            Page.numbers(h.putArray("binCentres"), histogram[0]);
            Page.numbers(h.putArray("counts"), histogram[1]);
            ObjectNode chart = page.chart("step-times", "Step time histogram", "seconds per step (data wait included)",
                    histogram[0], "steps");
            Page.series(chart, "steps", histogram[1], "bars");
            Page.range(chart, "y", 0, 1.05 * java.util.Arrays.stream(histogram[1]).max().orElse(1));
            chartIds.add("step-times");
        }
        double[] shares = doubles(profiler.path("dataWaitShares"));
        if (shares.length > 0) {
            double[] epochs = new double[shares.length];
            double[] percent = new double[shares.length];
            for (int i = 0; i < shares.length; i++) {
                epochs[i] = i + 1;
                percent[i] = 100 * shares[i];
            }
            ObjectNode chart = page.chart("data-wait", "Waiting for data", "epoch", epochs, "% of training time");
            Page.series(chart, "data wait", percent, "bars");
            Page.range(chart, "y", 0, Math.max(1, 1.1 * java.util.Arrays.stream(percent).max().orElse(1)));
            chartIds.add("data-wait");
        }
        JsonNode samples = profiler.path("samples");
        if (samples.size() > 0) {
            int[] keep = thin(samples.size(), -1);
            double[] seconds = new double[keep.length];
            double[] process = new double[keep.length];
            double[] system = new double[keep.length];
            double[] resident = new double[keep.length];
            double[] heap = new double[keep.length];
            for (int i = 0; i < keep.length; i++) {
                JsonNode sample = samples.get(keep[i]);
                seconds[i] = sample.path("seconds").asDouble();
                process[i] = sample.path("processCpuPercent").asDouble(Double.NaN) / cores;
                system[i] = sample.path("systemCpuPercent").asDouble(Double.NaN);
                resident[i] = sample.path("residentBytes").asDouble() / (1 << 20);
                heap[i] = sample.path("heapUsedBytes").asDouble() / (1 << 20);
            }
            ObjectNode series = node.putObject("samples");
            Page.numbers(series.putArray("seconds"), seconds);
            Page.numbers(series.putArray("processCpuPercentOfCores"), process);
            Page.numbers(series.putArray("systemCpuPercent"), system);
            Page.numbers(series.putArray("residentMiB"), resident);
            Page.numbers(series.putArray("heapUsedMiB"), heap);
            ObjectNode cpu = page.chart("cpu", "CPU over time", "seconds since the start", seconds,
                    "% of all " + cores + " cores");
            Page.series(cpu, "this process", process, "line");
            Page.series(cpu, "whole machine", system, "line");
            ObjectNode memory = page.chart("memory", "Memory over time", "seconds since the start", seconds, "MiB");
            Page.series(memory, "resident set", resident, "line");
            Page.series(memory, "Java heap in use", heap, "line");
            chartIds.add("cpu");
            chartIds.add("memory");
        }
        for (int i = 0; i < chartIds.size(); i += 2) {
            page.chartsRow(chartIds.subList(i, Math.min(chartIds.size(), i + 2)).toArray(String[]::new));
        }
        page.closeSection();
    }

    // ---- helpers

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Page.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new io.xray.XrayException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String values(JsonNode values) {
        List<String> parts = new ArrayList<>();
        values.fields().forEachRemaining(f -> parts.add(f.getKey() + "=" + (f.getValue().isNumber()
                ? String.format(java.util.Locale.ROOT, "%.4g", f.getValue().asDouble()) : f.getValue().asText())));
        return String.join(", ", parts);
    }

    static double value(Map<String, Double> epoch, String key) {
        Double v = epoch.get(key);
        return v == null ? Double.NaN : v;
    }

    private static double[] column(List<Map<String, Double>> epochs, String key) {
        return epochs.stream().mapToDouble(e -> value(e, key)).toArray();
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = array.get(i);
            values[i] = v.isNumber() ? v.asDouble() : Double.NaN;
        }
        return values;
    }

    /** @return the index of the curve point of the stored threshold: the lowest distinct score at or above it */
    private static int operatingIndex(double[] thresholds, double threshold) {
        int index = -1;
        for (int i = 0; i < thresholds.length; i++) {
            if (thresholds[i] >= threshold) {
                index = i;
            }
        }
        return index;
    }

    /** @return about {@link #MAX_POINTS} evenly spread indexes out of n, the first, the last and {@code must} included */
    static int[] thin(int n, int must) {
        if (n <= MAX_POINTS) {
            return java.util.stream.IntStream.range(0, n).toArray();
        }
        TreeSet<Integer> keep = new TreeSet<>();
        for (int i = 0; i < MAX_POINTS; i++) {
            keep.add((int) ((long) i * (n - 1) / (MAX_POINTS - 1)));
        }
        if (must >= 0) {
            keep.add(must);
        }
        return keep.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double[] pick(double[] values, int[] indexes) {
        double[] picked = new double[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            picked[i] = values[indexes[i]];
        }
        return picked;
    }

    /** @return NaN everywhere but at the stored threshold's point, where the curve's y value is */
    private static double[] marker(double[] thresholds, int[] kept, double[] ys, double threshold) {
        int operating = operatingIndex(thresholds, threshold);
        double[] marker = new double[kept.length];
        Arrays.fill(marker, Double.NaN);
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] == operating) {
                marker[i] = ys[i];
            }
        }
        return marker;
    }

    private static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }

    /** @return {bin centres, counts} of equal-width bins from the smallest to the largest value */
    static double[][] histogram(double[] sorted, int bins) {
        double min = sorted[0];
        double max = sorted[sorted.length - 1];
        double width = max > min ? (max - min) / bins : 1;
        int n = max > min ? bins : 1;
        double[] centres = new double[n];
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) {
            centres[i] = min + (i + 0.5) * width;
        }
        for (double v : sorted) {
            int bin = max > min ? (int) Math.min(n - 1, Math.floor((v - min) / width)) : 0;
            counts[bin]++;
        }
        return new double[][] {centres, counts};
    }
}

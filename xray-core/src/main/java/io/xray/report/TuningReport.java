package io.xray.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.tune.Objective;
import io.xray.tune.TrialRecord;
import io.xray.tune.TuningRecord;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The report of a tuning run: its settings, the trial table, and the objective against each hyperparameter. */
final class TuningReport {

    private final TuningRecord tuning;
    private final Page page;

    private TuningReport(TuningRecord tuning) {
        this.tuning = tuning;
        String name = tuning.directory().toAbsolutePath().normalize().getFileName() == null ? "tuning"
                : tuning.directory().toAbsolutePath().normalize().getFileName().toString();
        this.page = new Page("xray tuning report: " + name, "tuning");
    }

    static String render(TuningRecord tuning) {
        TuningReport report = new TuningReport(tuning);
        report.summary();
        report.trials();
        report.objective();
        report.learningCurves();
        return report.page.html();
    }

    private List<String> parameterNames() {
        Set<String> names = new LinkedHashSet<>();
        tuning.trials().forEach(t -> names.addAll(t.values().keySet()));
        return List.copyOf(names);
    }

    private void summary() {
        page.openSection("summary", "Tuning run");
        ObjectNode node = page.data().putObject("tuning");
        ObjectNode settings = node.putObject("settings");
        tuning.settings().forEach(settings::put);
        Objective objective = tuning.objective();
        node.put("objective", objective.toString());
        node.put("metric", objective.metric());
        node.put("goal", objective.goal().name());
        List<List<String>> rows = new ArrayList<>();
        tuning.settings().forEach((k, v) -> rows.add(List.of(k, v)));
        rows.add(List.of("trials", Long.toString(tuning.trials().size())));
        tuning.best().ifPresentOrElse(best -> {
            node.put("bestTrial", best.number());
            rows.add(List.of("best trial", String.format(Locale.ROOT, "%d: %s = %.4f at epoch %d, %s", best.number(),
                    objective.metric(), best.objective(), best.bestEpoch(), best.values())));
        }, () -> node.putNull("bestTrial"));
        page.table("settings", List.of("setting", "value"), rows, Set.of());
        page.closeSection();
    }

    private void trials() {
        page.openSection("trials", "Trials");
        List<String> names = parameterNames();
        ArrayNode list = ((ObjectNode) page.data().get("tuning")).putArray("trials");
        List<String> header = new ArrayList<>(List.of("trial"));
        header.addAll(names);
        header.addAll(List.of("status", tuning.objective().metric(), "best epoch", "epochs", "seconds", "report"));
        List<List<String>> rows = new ArrayList<>();
        Set<Integer> best = new HashSet<>();
        int bestNumber = tuning.best().map(TrialRecord::number).orElse(-1);
        for (TrialRecord trial : tuning.trials()) {
            ObjectNode t = list.addObject();
            t.put("number", trial.number());
            ObjectNode values = t.putObject("values");
            trial.values().forEach(values::put);
            t.put("status", trial.status().name());
            if (Double.isFinite(trial.objective())) {
                t.put("objective", trial.objective());
            } else {
                t.putNull("objective");
            }
            t.put("bestEpoch", trial.bestEpoch());
            t.put("seconds", trial.seconds());
            t.put("message", trial.message());
            Page.numbers(t.putArray("objectivePerEpoch"),
                    trial.objectivePerEpoch().stream().mapToDouble(Double::doubleValue).toArray());
            if (trial.number() == bestNumber) {
                best.add(rows.size());
            }
            List<String> row = new ArrayList<>();
            row.add(Integer.toString(trial.number()));
            for (String name : names) {
                row.add(trial.values().getOrDefault(name, ""));
            }
            row.add(trial.status().name().toLowerCase(Locale.ROOT)
                    + (trial.message().isEmpty() ? "" : ": " + abbreviate(trial.message())));
            row.add(Page.format(trial.objective(), 4));
            row.add(Integer.toString(trial.bestEpoch()));
            row.add(Integer.toString(trial.epochs().size()));
            row.add(Page.format(trial.seconds(), 1));
            boolean hasReport = Files.isRegularFile(tuning.trialDirectory(trial.number()).resolve(RunReport.FILE));
            String link = tuning.directory().relativize(tuning.trialDirectory(trial.number()).resolve(RunReport.FILE))
                    .toString().replace('\\', '/');
            t.put("report", hasReport ? link : null);
            row.add(hasReport ? link : "-");
            rows.add(row);
        }
        if (rows.isEmpty()) {
            page.notAvailable("the run has no trial yet");
        } else {
            page.table("trials", header, rows, best);
            page.paragraph("The highlighted trial is the best by " + tuning.objective() + ".");
        }
        page.closeSection();
    }

    private void objective() {
        page.openSection("objective", "Objective against each hyperparameter");
        List<TrialRecord> scored = tuning.trials().stream().filter(TrialRecord::scored).toList();
        if (scored.isEmpty()) {
            page.notAvailable("no trial has a score yet");
            page.closeSection();
            return;
        }
        String metric = tuning.objective().metric();
        double[] numbers = scored.stream().mapToDouble(TrialRecord::number).toArray();
        double[] objectives = scored.stream().mapToDouble(TrialRecord::objective).toArray();
        double[] bestSoFar = new double[objectives.length];
        for (int i = 0; i < objectives.length; i++) {
            bestSoFar[i] = i == 0 || tuning.objective().isBetter(objectives[i], bestSoFar[i - 1])
                    ? objectives[i] : bestSoFar[i - 1];
        }
        ObjectNode byTrial = page.chart("objective-by-trial", metric + " by trial", "trial", numbers, metric);
        Page.series(byTrial, metric, objectives, "points");
        Page.series(byTrial, "best so far", bestSoFar, "line");
        List<String> ids = new ArrayList<>(List.of("objective-by-trial"));
        ArrayNode scatter = ((ObjectNode) page.data().get("tuning")).putArray("scatter");
        for (String name : parameterNames()) {
            List<TrialRecord> withValue = scored.stream().filter(t -> t.values().containsKey(name)).toList();
            if (withValue.isEmpty()) {
                continue;
            }
            String id = "objective-vs-" + ids.size();
            ObjectNode entry = scatter.addObject();
            entry.put("parameter", name);
            entry.put("chart", id);
            boolean numeric = withValue.stream().allMatch(t -> parses(t.values().get(name)));
            ObjectNode chart;
            if (numeric) {
                List<TrialRecord> sorted = withValue.stream()
                        .sorted(Comparator.comparingDouble(t -> Double.parseDouble(t.values().get(name)))).toList();
                double[] xs = sorted.stream().mapToDouble(t -> Double.parseDouble(t.values().get(name))).toArray();
                double[] ys = sorted.stream().mapToDouble(TrialRecord::objective).toArray();
                chart = page.chart(id, metric + " against " + name, name, xs, metric);
                Page.series(chart, "trials", ys, "points");
                boolean log = xs[0] > 0 && xs[xs.length - 1] / xs[0] >= 20;
                ((ObjectNode) chart.get("x")).put("log", log);
                entry.put("log", log);
                Page.numbers(entry.putArray("values"), xs);
                Page.numbers(entry.putArray("objectives"), ys);
            } else {
                List<String> categories = new ArrayList<>(new TreeSet<>(withValue.stream()
                        .map(t -> t.values().get(name)).toList()));
                List<TrialRecord> sorted = withValue.stream()
                        .sorted(Comparator.comparingInt(t -> categories.indexOf(t.values().get(name)))).toList();
                double[] xs = sorted.stream().mapToDouble(t -> categories.indexOf(t.values().get(name))).toArray();
                double[] ys = sorted.stream().mapToDouble(TrialRecord::objective).toArray();
                chart = page.chart(id, metric + " against " + name, name, xs, metric);
                Page.series(chart, "trials", ys, "points");
                ArrayNode cats = ((ObjectNode) chart.get("x")).putArray("categories");
                categories.forEach(cats::add);
                ArrayNode values = entry.putArray("values");
                sorted.forEach(t -> values.add(t.values().get(name)));
                Page.numbers(entry.putArray("objectives"), ys);
            }
            ids.add(id);
        }
        for (int i = 0; i < ids.size(); i += 2) {
            page.chartsRow(ids.subList(i, Math.min(ids.size(), i + 2)).toArray(String[]::new));
        }
        page.closeSection();
    }

    private void learningCurves() {
        page.openSection("learning-curves", "Learning curves");
        int epochs = tuning.trials().stream().mapToInt(t -> t.objectivePerEpoch().size()).max().orElse(0);
        if (epochs == 0) {
            page.notAvailable("no trial reported an epoch yet");
            page.closeSection();
            return;
        }
        double[] xs = new double[epochs];
        for (int i = 0; i < epochs; i++) {
            xs[i] = i + 1;
        }
        String metric = tuning.objective().metric();
        ObjectNode chart = page.chart("curves", metric + " per epoch, one line per trial", "epoch", xs, metric);
        for (TrialRecord trial : tuning.trials()) {
            double[] ys = new double[epochs];
            java.util.Arrays.fill(ys, Double.NaN);
            for (int i = 0; i < trial.objectivePerEpoch().size(); i++) {
                ys[i] = trial.objectivePerEpoch().get(i);
            }
            Page.series(chart, "trial " + trial.number(), ys, "line");
        }
        page.chartsRow("curves");
        page.closeSection();
    }

    private static boolean parses(String value) {
        if (value == null) {
            return false;
        }
        try {
            return Double.isFinite(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String abbreviate(String message) {
        return message.length() <= 120 ? message : message.substring(0, 117) + "...";
    }
}

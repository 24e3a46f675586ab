package io.xray.cli;

import io.xray.train.RunRecord;
import io.xray.train.TrainingRecipe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code xray runs}: lists and compares run records ({@link RunRecord}), the folders that
 * {@code xray train} and every trial of {@code xray tune} write.
 */
@Command(
        name = "runs",
        mixinStandardHelpOptions = true,
        description = "List and compare training runs by their records (run.json, hyperparameters.json, metrics.jsonl),"
                + " written by xray train and by every trial of xray tune.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.CompareRuns.class})
final class RunsCommand {

    /** Figures taken at the best epoch, as {@code metrics.jsonl} names them, and their column titles. */
    private static final Map<String, String> AT_BEST = new LinkedHashMap<>();

    static {
        AT_BEST.put("Val_f1", "val F1");
        AT_BEST.put("Val_auc", "val AUC");
        AT_BEST.put("Val_loss", "val loss");
    }

    /** {@code xray runs list [DIR]}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print a table of the runs at or below DIR (a training output, a tuning run folder with its"
                    + " trials, or a folder of runs): name, date, status, best epoch, validation F1 and ROC AUC at the"
                    + " best epoch (threshold 0.5, as in the Val_epoch line), time, and how the recipe differs from the"
                    + " default recipe.")
    static final class ListRuns implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = ".",
                description = "where to look (default: the current folder)")
        private Path root;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<RunRecord> runs = RunRecord.findAll(root);
            if (runs.isEmpty()) {
                out.println("No run records at or below " + root + ".");
                out.flush();
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("run", "date", "status", "best epoch", "val F1", "val AUC", "time", "recipe vs default"));
            TrainingRecipe defaults = TrainingRecipe.defaults();
            for (RunRecord run : runs) {
                List<String> differences = new ArrayList<>();
                run.differencesFrom(defaults).forEach((key, value) -> differences.add(key + "=" + value));
                rows.add(List.of(
                        name(root, run),
                        date(run.started()),
                        run.status().name().toLowerCase(Locale.ROOT),
                        run.bestEpoch() + "/" + run.epochs().size(),
                        number(run.atBestEpoch("Val_f1")),
                        number(run.atBestEpoch("Val_auc")),
                        seconds(run.seconds()),
                        differences.isEmpty() ? "(default)" : String.join(" ", differences)));
            }
            printTable(out, rows);
            out.flush();
            return 0;
        }
    }

    /** {@code xray runs compare RUN...}. */
    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Print runs side by side, one column each: status, date, the hyperparameters that differ"
                    + " between them (from the default recipe when only one run is given), the best epoch and its"
                    + " validation figures, the model's threshold, time, and the environment.")
    static final class CompareRuns implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "RUN", description = "run folders (each holds run.json)")
        private List<Path> runFolders = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<RunRecord> runs = runFolders.stream().map(RunRecord::read).toList();
            List<List<String>> rows = new ArrayList<>();
            List<String> header = new ArrayList<>(List.of(""));
            runFolders.forEach(folder -> header.add(folder.toString()));
            rows.add(header);
            rows.add(row("status", runs, r -> r.status().name().toLowerCase(Locale.ROOT)));
            rows.add(row("date", runs, r -> date(r.started())));

            Set<String> keys = new LinkedHashSet<>();
            runs.forEach(r -> keys.addAll(r.hyperparameters().keySet()));
            Map<String, String> defaults = TrainingRecipe.defaults().toHyperparameters();
            for (String key : keys) {
                Set<String> values = new LinkedHashSet<>();
                runs.forEach(r -> values.add(r.hyperparameters().get(key)));
                boolean differs = runs.size() == 1 ? !Objects.equals(values.iterator().next(), defaults.get(key))
                        : values.size() > 1;
                if (differs) {
                    rows.add(row(key, runs, r -> Objects.toString(r.hyperparameters().get(key), "-")));
                }
            }
            rows.add(row("best epoch", runs, r -> r.bestEpoch() + "/" + r.epochs().size()));
            AT_BEST.forEach((metric, title) -> rows.add(row(title, runs, r -> number(r.atBestEpoch(metric)))));
            rows.add(row("threshold", runs, r -> number(r.threshold())));
            rows.add(row("time", runs, r -> seconds(r.seconds())));
            Set<String> environmentKeys = new LinkedHashSet<>();
            runs.forEach(r -> environmentKeys.addAll(r.environment().keySet()));
            for (String key : environmentKeys) {
                rows.add(row(key, runs, r -> r.environment().getOrDefault(key, "-")));
            }
            printTable(out, rows);
            out.flush();
            return 0;
        }

        private static List<String> row(String title, List<RunRecord> runs, java.util.function.Function<RunRecord, String> cell) {
            List<String> row = new ArrayList<>(List.of(title));
            runs.forEach(r -> row.add(cell.apply(r)));
            return row;
        }
    }

    private static String name(Path root, RunRecord run) {
        Path relative = root.toAbsolutePath().normalize().relativize(run.directory().toAbsolutePath().normalize());
        return relative.toString().isEmpty() ? run.name() : relative.toString();
    }

    private static String date(String instant) {
        return instant.length() >= 16 ? instant.substring(0, 10) + " " + instant.substring(11, 16) : instant;
    }

    private static String number(OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.4f", value.getAsDouble()) : "-";
    }

    private static String seconds(double seconds) {
        return seconds >= 600 ? String.format(Locale.ROOT, "%.1f min", seconds / 60)
                : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    /** Prints rows as left-aligned columns; the first row is the header. */
    static void printTable(PrintWriter out, List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns - 1; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c < columns - 1 ? String.format(Locale.ROOT, "%-" + widths[c] + "s  ", row.get(c)) : row.get(c));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}

package io.xray.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A tuning run's state, {@code tuning.json} in its run folder: the settings that decide its
 * suggestions, and every trial with its values, status and per-epoch metrics. Written atomically
 * after every trial start, epoch and trial end.
 */
final class TuningState {

    static final String FILE = "tuning.json";
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One trial, as it changes while it runs. */
    static final class Entry {
        final int number;
        final Map<String, String> values;
        TrialStatus status = TrialStatus.RUNNING;
        final TreeMap<Integer, Map<String, Double>> epochs = new TreeMap<>();
        double seconds;
        String message = "";
        String model;
        boolean stopRequested;

        Entry(int number, Map<String, String> values) {
            this.number = number;
            this.values = new LinkedHashMap<>(values);
        }

        List<Map<String, Double>> epochList() {
            List<Map<String, Double>> list = new ArrayList<>();
            int last = epochs.isEmpty() ? 0 : epochs.lastKey();
            for (int e = 1; e <= last; e++) {
                list.add(epochs.getOrDefault(e, Map.of()));
            }
            return list;
        }

        List<Double> metric(String metric) {
            List<Double> values = new ArrayList<>();
            for (Map<String, Double> epoch : epochList()) {
                values.add(epoch.getOrDefault(metric, Double.NaN));
            }
            return values;
        }

        TrialRecord record(Objective objective) {
            List<Double> perEpoch = metric(objective.metric());
            Objective.Score score = status == TrialStatus.FAILED
                    ? new Objective.Score(Double.NaN, 0)
                    : objective.score(perEpoch);
            return new TrialRecord(number, values, status, score.value(), score.bestEpoch(), perEpoch, epochList(),
                    seconds, message, model);
        }
    }

    final Map<String, String> settings;
    final List<Entry> trials = new ArrayList<>();

    TuningState(Map<String, String> settings) {
        this.settings = new LinkedHashMap<>(settings);
    }

    Entry trial(int number) {
        for (Entry entry : trials) {
            if (entry.number == number) {
                return entry;
            }
        }
        return null;
    }

    void write(Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode s = root.putObject("settings");
        settings.forEach(s::put);
        ArrayNode list = root.putArray("trials");
        for (Entry entry : trials) {
            ObjectNode t = list.addObject();
            t.put("number", entry.number);
            ObjectNode values = t.putObject("values");
            entry.values.forEach(values::put);
            t.put("status", entry.status.name());
            t.put("seconds", entry.seconds);
            t.put("message", entry.message);
            t.put("stopRequested", entry.stopRequested);
            if (entry.model != null) {
                t.put("model", entry.model);
            }
            ArrayNode epochs = t.putArray("epochs");
            for (Map.Entry<Integer, Map<String, Double>> epoch : entry.epochs.entrySet()) {
                ObjectNode e = epochs.addObject();
                e.put("epoch", epoch.getKey());
                ObjectNode metrics = e.putObject("metrics");
                epoch.getValue().forEach(metrics::put);
            }
        }
        AtomicFiles.write(file, out -> JSON.writeValue(out, root));
    }

    static Optional<TuningState> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root.path("format").asInt() != FORMAT) {
                throw new XrayException(file + ": format " + root.path("format") + " is not " + FORMAT);
            }
            Map<String, String> settings = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("settings").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                settings.put(field.getKey(), field.getValue().asText());
            }
            TuningState state = new TuningState(settings);
            for (JsonNode t : root.path("trials")) {
                Map<String, String> values = new LinkedHashMap<>();
                t.path("values").fields().forEachRemaining(f -> values.put(f.getKey(), f.getValue().asText()));
                Entry entry = new Entry(t.path("number").asInt(), values);
                entry.status = TrialStatus.valueOf(t.path("status").asText());
                entry.seconds = t.path("seconds").asDouble();
                entry.message = t.path("message").asText("");
                entry.stopRequested = t.path("stopRequested").asBoolean(false);
                entry.model = t.hasNonNull("model") ? t.get("model").asText() : null;
                for (JsonNode e : t.path("epochs")) {
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    e.path("metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), f.getValue().asDouble()));
                    entry.epochs.put(e.path("epoch").asInt(), metrics);
                }
                state.trials.add(entry);
            }
            return Optional.of(state);
        } catch (IOException | IllegalArgumentException e) {
            throw new XrayException(file + ": not a readable tuning state: " + e.getMessage(), e);
        }
    }
}

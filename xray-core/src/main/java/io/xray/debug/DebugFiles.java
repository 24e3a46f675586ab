package io.xray.debug;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.XrayException;
import io.xray.internal.AtomicFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a run's debugger and profiler results as JSON beside its model, for reports and for people:
 * {@code debugger.json} (one verdict per rule, SageMaker's rule and status names, the step, epoch,
 * evidence and values) and {@code profiler.json} (verdicts, step times, {@code /proc} samples,
 * data-wait shares). Non-finite numbers are written as the strings {@code "NaN"} and
 * {@code "Infinity"}. Each file is written atomically.
 */
public final class DebugFiles {

    /** The debugger's file name. */
    public static final String DEBUGGER_FILE = "debugger.json";
    /** The profiler's file name. */
    public static final String PROFILER_FILE = "profiler.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DebugFiles() {}

    /**
     * @param directory where the files go (created when missing)
     * @param debugger the debugger's report; not written when it holds no verdict
     * @param profiler the profiler's report; not written when it holds no verdict
     */
    public static void write(Path directory, DebugReport debugger, ProfilerReport profiler) {
        try {
            if (!debugger.verdicts().isEmpty()) {
                ObjectNode root = JSON.createObjectNode();
                root.put("sampledSteps", debugger.sampledSteps());
                root.put("inspectionSeconds", debugger.inspectionSeconds());
                ArrayNode rules = root.putArray("rules");
                for (RuleVerdict v : debugger.verdicts()) {
                    ObjectNode rule = rules.addObject();
                    rule.put("rule", v.rule().sageMakerName());
                    rule.put("status", v.status().sageMakerName());
                    rule.put("step", v.step());
                    rule.put("epoch", v.epoch());
                    rule.put("triggers", debugger.triggers().getOrDefault(v.rule(), 0));
                    rule.put("evidence", v.evidence());
                    values(rule, v.values());
                }
                AtomicFiles.write(directory.resolve(DEBUGGER_FILE), JSON.writeValueAsBytes(root));
            }
            if (!profiler.verdicts().isEmpty()) {
                ObjectNode root = JSON.createObjectNode();
                root.put("cores", profiler.cores());
                root.put("secondsToFirstStep", profiler.secondsToFirstStep());
                root.put("cpuProcessP50", profiler.cpuPercentile(50, true));
                root.put("cpuProcessP95", profiler.cpuPercentile(95, true));
                root.put("cpuSystemP50", profiler.cpuPercentile(50, false));
                root.put("cpuSystemP95", profiler.cpuPercentile(95, false));
                root.put("maxThreads", profiler.maxThreads());
                ArrayNode rules = root.putArray("rules");
                for (ProfilerVerdict v : profiler.verdicts()) {
                    ObjectNode rule = rules.addObject();
                    rule.put("rule", v.rule().sageMakerName());
                    rule.put("status", v.status().sageMakerName());
                    rule.put("epoch", v.epoch());
                    rule.put("evidence", v.evidence());
                    values(rule, v.values());
                }
                ArrayNode shares = root.putArray("dataWaitShares");
                profiler.dataWaitShares().forEach(shares::add);
                ArrayNode steps = root.putArray("stepSeconds");
                profiler.stepSeconds().forEach(steps::add);
                ArrayNode samples = root.putArray("samples");
                for (ResourceSample s : profiler.samples()) {
                    ObjectNode sample = samples.addObject();
                    sample.put("seconds", s.seconds());
                    sample.put("processCpuPercent", s.processCpuPercent());
                    sample.put("systemCpuPercent", s.systemCpuPercent());
                    sample.put("residentBytes", s.residentBytes());
                    sample.put("heapUsedBytes", s.heapUsedBytes());
                    sample.put("threads", s.threads());
                }
                AtomicFiles.write(directory.resolve(PROFILER_FILE), JSON.writeValueAsBytes(root));
            }
        } catch (java.io.IOException e) {
            throw new XrayException(directory + ": cannot write the debugger's files: " + e.getMessage(), e);
        }
    }

    private static void values(ObjectNode rule, Map<String, Double> values) {
        ObjectNode node = rule.putObject("values");
        new TreeMap<>(values).forEach(node::put);
    }
}

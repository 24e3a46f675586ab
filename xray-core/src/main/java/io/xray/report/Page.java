package io.xray.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xray.XrayException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * One self-contained HTML page: sections of headings, paragraphs and tables written on the server
 * side, charts drawn by uPlot (its JavaScript and CSS inlined from the webjar) from specifications
 * kept, with every section's data, in one JSON block ({@code <script type="application/json"
 * id="report-data">}).
 */
final class Page {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEBJAR = "META-INF/resources/webjars/uplot/";
    private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

    private final String title;
    private final ObjectNode data = JSON.createObjectNode();
    private final ObjectNode charts;
    private final StringBuilder body = new StringBuilder();

    Page(String title, String kind) {
        this.title = title;
        data.put("kind", kind);
        data.put("title", title);
        charts = data.putObject("charts");
    }

    /** @return the JSON data block, for sections to put their data in */
    ObjectNode data() {
        return data;
    }

    void openSection(String id, String heading) {
        body.append("<section id=\"").append(escape(id)).append("\">\n<h2>").append(escape(heading)).append("</h2>\n");
    }

    void closeSection() {
        body.append("</section>\n");
    }

    void paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
    }

    void notAvailable(String reason) {
        body.append("<p class=\"not-available\">Not available: ").append(escape(reason)).append("</p>\n");
    }

    void heading(String text) {
        body.append("<h3>").append(escape(text)).append("</h3>\n");
    }

    /** Appends HTML that the caller built and escaped. */
    void raw(String html) {
        body.append(html);
    }

    void table(String cssClass, List<String> header, List<List<String>> rows, Set<Integer> highlighted) {
        body.append("<table class=\"").append(escape(cssClass)).append("\">\n");
        if (!header.isEmpty()) {
            body.append("<thead><tr>");
            for (String h : header) {
                body.append("<th>").append(escape(h)).append("</th>");
            }
            body.append("</tr></thead>\n");
        }
        body.append("<tbody>\n");
        for (int r = 0; r < rows.size(); r++) {
            body.append(highlighted.contains(r) ? "<tr class=\"highlight\">" : "<tr>");
            for (String cell : rows.get(r)) {
                body.append("<td>").append(escape(cell)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
    }

    void chartsRow(String... ids) {
        body.append("<div class=\"charts\">");
        for (String id : ids) {
            body.append("<div class=\"chart\" data-chart=\"").append(escape(id)).append("\"></div>");
        }
        body.append("</div>\n");
    }

    /**
     * Starts a chart's specification.
     *
     * @param id the chart's id, unique in the page
     * @param title its title
     * @param xLabel the x axis's label
     * @param xs the x values, ascending (uPlot's requirement)
     * @param yLabel the y axis's label
     * @return the specification, to add series to with {@link #series}
     */
    ObjectNode chart(String id, String title, String xLabel, double[] xs, String yLabel) {
        ObjectNode spec = charts.putObject(id);
        spec.put("title", title);
        ObjectNode x = spec.putObject("x");
        x.put("label", xLabel);
        x.put("integer", xLabel.equals("epoch") || xLabel.equals("trial"));
        numbers(x.putArray("values"), xs);
        spec.putObject("y").put("label", yLabel);
        spec.putArray("series");
        return spec;
    }

    static void series(ObjectNode chart, String label, double[] values, String kind) {
        ObjectNode s = ((ArrayNode) chart.get("series")).addObject();
        s.put("label", label);
        s.put("kind", kind);
        s.put("color", PALETTE[(chart.get("series").size() - 1) % PALETTE.length]);
        numbers(s.putArray("values"), values);
    }

    static void range(ObjectNode chart, String axis, double min, double max) {
        ArrayNode range = ((ObjectNode) chart.get(axis)).putArray("range");
        range.add(min);
        range.add(max);
    }

    /** Chart data: float precision is plenty and keeps the page small; NaN becomes null (a gap). */
    static void numbers(ArrayNode array, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                array.add((float) v);
            } else {
                array.addNull();
            }
        }
    }

    /** @return the whole page */
    String html() {
        String json;
        try {
            // "<" only occurs inside JSON strings, where \u003c means the same; so no "</script>" can end the block early.
            json = JSON.writeValueAsString(data).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new XrayException("cannot write the report's data: " + e.getMessage(), e);
        }
        String version = uPlotVersion();
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<meta name=\"generator\" content=\"xray io.xray.report.RunReport, uPlot " + escape(version) + "\">\n"
                + "<title>" + escape(title) + "</title>\n"
                + "<style>\n" + resource(WEBJAR + version + "/dist/uPlot.min.css") + "\n" + STYLE + "</style>\n"
                + "</head>\n<body>\n<h1>" + escape(title) + "</h1>\n"
                + body
                + "<script type=\"application/json\" id=\"report-data\">" + json + "</script>\n"
                + "<script>\n" + resource(WEBJAR + version + "/dist/uPlot.iife.min.js") + "\n</script>\n"
                + "<script>\n" + CHARTS + "</script>\n"
                + "</body>\n</html>\n";
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String format(double value, int decimals) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "-";
    }

    private static String uPlotVersion() {
        Properties properties = new Properties();
        try (InputStream in = resourceStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new XrayException("cannot read uPlot's webjar version: " + e.getMessage(), e);
        }
        return properties.getProperty("version");
    }

    private static String resource(String path) {
        try (InputStream in = resourceStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new XrayException("cannot read " + path + " from uPlot's webjar: " + e.getMessage(), e);
        }
    }

    private static InputStream resourceStream(String path) {
        InputStream in = Page.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new XrayException(path + " is not on the class path: the report needs the webjar"
                    + " org.webjars.npm:uplot (a dependency of xray-core)");
        }
        return in;
    }

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5em auto;
                   max-width: 1200px; padding: 0 1em; color: #222; }
            h1 { font-size: 1.5em; margin-bottom: 0.2em; }
            h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
            h3 { font-size: 1em; margin: 1em 0 0.4em; }
            table { border-collapse: collapse; font-size: 0.85em; margin: 0.4em 0; }
            th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
            th { background: #f3f3f3; }
            tr.highlight td { background: #fff3c4; font-weight: 600; }
            td.issues, tr.issues td:nth-child(2) { color: #b00; font-weight: 600; }
            .not-available { color: #a60; font-style: italic; }
            .charts { display: flex; flex-wrap: wrap; gap: 1em; }
            .chart { flex: 1 1 520px; min-width: 320px; }
            .confusion td, .confusion th { text-align: center; min-width: 7em; }
            """;

    private static final String CHARTS = """
            (function () {
              'use strict';
              var data = JSON.parse(document.getElementById('report-data').textContent);
              function plain(u, splits) {
                return splits.map(function (v) { return v == null ? '' : String(+Number(v).toPrecision(4)); });
              }
              function build(el, spec) {
                var series = [{label: spec.x.label}];
                spec.series.forEach(function (s) {
                  var o = {label: s.label, stroke: s.color, width: 1.5, spanGaps: true};
                  if (s.kind === 'points') {
                    o.paths = function () { return null; };
                    o.points = {show: true, size: 8, stroke: s.color, fill: s.color};
                  } else if (s.kind === 'bars') {
                    o.paths = uPlot.paths.bars({size: [0.9, 80]});
                    o.fill = s.color + '99';
                    o.points = {show: false};
                  } else {
                    o.points = {show: s.values.length <= 40};
                  }
                  series.push(o);
                });
                var xScale = {time: false};
                var xAxis = {label: spec.x.label, values: plain};
                if (spec.x.log) {
                  xScale.distr = 3;
                  xAxis.values = function (u, splits) {
                    return splits.map(function (v) { return v == null ? '' : Number(v).toExponential(0); });
                  };
                }
                if (spec.x.categories) {
                  var cats = spec.x.categories;
                  xScale.range = function () { return [-0.5, cats.length - 0.5]; };
                  xAxis.splits = function () { return cats.map(function (c, i) { return i; }); };
                  xAxis.values = function (u, splits) {
                    return splits.map(function (v) { return cats[v] === undefined ? '' : cats[v]; });
                  };
                } else if (spec.x.integer) {
                  xAxis.incrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
                } else if (spec.x.range) {
                  xScale.range = function () { return spec.x.range; };
                }
                var yScale = {};
                if (spec.y.range) {
                  yScale.range = function () { return spec.y.range; };
                }
                var opts = {
                  title: spec.title,
                  width: Math.max(320, el.clientWidth || 560),
                  height: 260,
                  series: series,
                  scales: {x: xScale, y: yScale},
                  axes: [xAxis, {label: spec.y.label, values: plain, size: 60}],
                  legend: {show: spec.series.length <= 12, live: false}
                };
                new uPlot(opts, [spec.x.values].concat(spec.series.map(function (s) { return s.values; })), el);
              }
              document.querySelectorAll('[data-chart]').forEach(function (el) {
                var spec = data.charts[el.getAttribute('data-chart')];
                if (spec) {
                  build(el, spec);
                }
              });
            })();
            """;
}

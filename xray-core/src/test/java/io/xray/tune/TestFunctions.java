package io.xray.tune;

import java.util.Map;

/** Standard optimisation test functions, for the strategies' tests and timing. */
final class TestFunctions {

    private TestFunctions() {}

    /** @return Branin's space: x1 in [-5, 10], x2 in [0, 15] */
    static SearchSpace braninSpace() {
        return SearchSpace.of(ContinuousParameter.linear("x1", -5, 10), ContinuousParameter.linear("x2", 0, 15));
    }

    /**
     * @param values x1 and x2
     * @return Branin's function; its minimum is 0.397887
     */
    static double branin(Map<String, String> values) {
        double x1 = Double.parseDouble(values.get("x1"));
        double x2 = Double.parseDouble(values.get("x2"));
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        double a = x2 - b * x1 * x1 + c * x1 - 6;
        return a * a + 10 * (1 - t) * Math.cos(x1) + 10;
    }
}

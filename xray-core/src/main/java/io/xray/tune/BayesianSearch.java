package io.xray.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.commons.math3.random.SobolSequenceGenerator;

/**
 * Gaussian-process Bayesian optimisation with log expected improvement. The first trials are Sobol
 * points (shifted by a seeded random offset, modulo 1, so that seeds differ); later ones maximise
 * log EI over Sobol and random candidates and over candidates near the best observation so far
 * (a few of its coordinates moved by Gaussian steps, as in BoTorch's and TuRBO's perturbed
 * candidates, which keep the search from spending its trials on the space's edges in more than a
 * couple of dimensions), refined locally around the best few by shrinking Gaussian steps,
 * categorical values tried in turn. Pending trials join the model at their predicted mean, so
 * parallel trials spread out, and no suggestion repeats the values of an earlier or running trial
 * (on a bound of the space, where clamped candidates coincide, it otherwise can) unless the space
 * has nothing else left.
 */
final class BayesianSearch implements Suggester {

    static final int SOBOL_CANDIDATES = 256;
    static final int RANDOM_CANDIDATES = 256;
    static final int LOCAL_CANDIDATES = 256;
    static final double LOCAL_STEP = 0.1;
    static final int REFINED = 4;
    static final int[] REFINE_STEPS = {12, 12, 12};
    static final double[] REFINE_RADII = {0.1, 0.03, 0.01};
    static final int FIT_EVALUATIONS = 80;

    private final SearchSpace space;
    private final long seed;
    private final int initialPoints;
    private final double[] shift;

    BayesianSearch(SearchSpace space, long seed, int initialPoints) {
        this.space = space;
        this.seed = seed;
        this.initialPoints = initialPoints;
        Random random = new Random(Suggester.mix(seed, 0x534F424FL));
        this.shift = new double[space.parameters().size()];
        for (int i = 0; i < shift.length; i++) {
            shift[i] = random.nextDouble();
        }
    }

    @Override
    public Map<String, String> suggest(int trial, List<Observation> observed, List<Map<String, String>> pending) {
        if ((trial < initialPoints && observed.size() < initialPoints) || distinct(observed) < 2) {
            return initialPoint(trial);
        }
        double[][] x = new double[observed.size()][];
        double[] y = new double[observed.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = space.features(observed.get(i).values());
            y[i] = observed.get(i).value();
        }
        GaussianProcess model = GaussianProcess.fit(x, y, FIT_EVALUATIONS);
        if (!pending.isEmpty()) {
            double[][] px = new double[pending.size()][];
            double[] py = new double[pending.size()];
            for (int i = 0; i < px.length; i++) {
                px[i] = space.features(pending.get(i));
                py[i] = model.mean(px[i]);
            }
            model = model.withPoints(px, py);
        }
        double best = model.bestStandardized();
        Random random = new Random(Suggester.mix(seed, trial, 0x42415945L));
        List<Candidate> candidates = new ArrayList<>();
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(space.parameters().size());
        sobol.skipTo(1 + (int) Math.floorMod(Suggester.mix(seed, trial), 1024L));
        double[] offset = new double[shift.length];
        for (int i = 0; i < offset.length; i++) {
            offset[i] = random.nextDouble();
        }
        for (int c = 0; c < SOBOL_CANDIDATES; c++) {
            double[] u = sobol.nextVector();
            for (int i = 0; i < u.length; i++) {
                u[i] = (u[i] + offset[i]) % 1.0;
            }
            candidates.add(score(model, best, u));
        }
        for (int c = 0; c < RANDOM_CANDIDATES; c++) {
            double[] u = new double[shift.length];
            for (int i = 0; i < u.length; i++) {
                u[i] = random.nextDouble();
            }
            candidates.add(score(model, best, u));
        }
        double[] incumbent = space.unitOf(best(observed).values());
        for (int c = 0; c < LOCAL_CANDIDATES; c++) {
            candidates.add(score(model, best, perturbed(incumbent, random)));
        }
        candidates.sort(Comparator.comparingDouble(Candidate::logEi).reversed());
        // A trial at values already tried (or running) repeats it: same values, same seed, same result.
        Set<Map<String, String>> tried = new HashSet<>(pending);
        observed.forEach(observation -> tried.add(observation.values()));
        Candidate winner = candidates.stream().filter(c -> !tried.contains(c.values())).findFirst().orElse(null);
        Set<Map<String, String>> starts = new HashSet<>();
        for (Candidate start : candidates) {
            if (starts.size() >= REFINED) {
                break;
            }
            if (!starts.add(start.values())) {
                continue;
            }
            Candidate refined = refine(model, best, start, random);
            if (!tried.contains(refined.values()) && (winner == null || refined.logEi() > winner.logEi())) {
                winner = refined;
            }
        }
        // every candidate repeats a trial only in a small, exhausted space: then the best repeat it is
        return (winner != null ? winner : candidates.get(0)).values();
    }

    private record Candidate(double[] u, Map<String, String> values, double logEi) {}

    private Candidate score(GaussianProcess model, double best, double[] u) {
        Map<String, String> values = space.valuesAt(u);
        double[] prediction = model.predictStandardized(space.features(values));
        return new Candidate(space.unitOf(values), values, LogExpectedImprovement.of(prediction[0], prediction[1], best));
    }

    private static Observation best(List<Observation> observed) {
        Observation best = observed.get(0);
        for (Observation observation : observed) {
            if (observation.value() > best.value()) {
                best = observation;
            }
        }
        return best;
    }

    /** A copy of the point with about two coordinates (at least one) moved: numbers by a Gaussian step, categories redrawn. */
    private double[] perturbed(double[] centre, Random random) {
        double[] u = centre.clone();
        double probability = Math.min(1.0, 2.0 / u.length);
        int always = random.nextInt(u.length);
        for (int i = 0; i < u.length; i++) {
            if (i == always || random.nextDouble() < probability) {
                u[i] = space.parameters().get(i) instanceof CategoricalParameter
                        ? random.nextDouble()
                        : Parameter.clampUnit(u[i] + LOCAL_STEP * random.nextGaussian());
            }
        }
        return u;
    }

    private Candidate refine(GaussianProcess model, double best, Candidate start, Random random) {
        Candidate current = start;
        List<Parameter> parameters = space.parameters();
        for (int round = 0; round < REFINE_STEPS.length; round++) {
            for (int step = 0; step < REFINE_STEPS[round]; step++) {
                double[] u = current.u().clone();
                for (int i = 0; i < u.length; i++) {
                    if (parameters.get(i) instanceof CategoricalParameter) {
                        if (round == 0 && random.nextDouble() < 1.0 / u.length) {
                            u[i] = random.nextDouble();
                        }
                    } else {
                        u[i] = Parameter.clampUnit(u[i] + REFINE_RADII[round] * random.nextGaussian());
                    }
                }
                Candidate next = score(model, best, u);
                if (next.logEi() > current.logEi()) {
                    current = next;
                }
            }
        }
        return current;
    }

    private Map<String, String> initialPoint(int trial) {
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(space.parameters().size());
        sobol.skipTo(trial + 1);
        double[] u = sobol.nextVector();
        for (int i = 0; i < u.length; i++) {
            u[i] = (u[i] + shift[i]) % 1.0;
        }
        return space.valuesAt(u);
    }

    private static int distinct(List<Observation> observed) {
        Set<Map<String, String>> values = new HashSet<>();
        for (Observation observation : observed) {
            values.add(observation.values());
        }
        return values.size();
    }
}

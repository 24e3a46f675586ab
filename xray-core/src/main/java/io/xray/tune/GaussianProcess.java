package io.xray.tune;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * A Gaussian process regression of warped, standardised observations on inputs in [0, 1]^d, with a
 * Matérn 5/2 kernel that has one length scale per input (automatic relevance determination), a
 * signal variance and a fitted noise variance. The kernel's hyperparameters maximise the log
 * marginal likelihood plus weak log-normal priors (which keep a fit on a handful of points from
 * collapsing to all-noise or to zero length scales), found by Commons Math's BOBYQA within bounds.
 * The decompositions and solves are Commons Math's.
 *
 * <p>Before standardising, the observations worse than their median are pulled towards it by a
 * half-rank warp (see {@link #halfRankWarp}), so that a few very bad trials (a diverged learning
 * rate, a far corner of Branin's function) do not set the scale on which the good ones differ. Length
 * scales stay at or above a tenth of the input range: below that, a fit on tens of points follows
 * the noise of single observations (after a lucky draw, it had made the model certain of a narrow
 * peak there).
 */
final class GaussianProcess {

    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final double SQRT5 = Math.sqrt(5);
    private static final double MIN_LOG_LENGTH = Math.log(0.1);
    private static final double MAX_LOG_LENGTH = Math.log(5.0);
    private static final double MIN_LOG_SIGNAL = Math.log(0.05);
    private static final double MAX_LOG_SIGNAL = Math.log(20.0);
    private static final double MIN_LOG_NOISE = Math.log(1e-6);
    private static final double MAX_LOG_NOISE = Math.log(1.0);
    private static final double JITTER = 1e-9;

    private final double[][] x;
    private final double[] lengths;
    private final double signal;
    private final double noise;
    private final double yMean;
    private final double yScale;
    private final RealVector alpha;
    private final RealMatrix inverse;
    private final double[] standardized;

    private GaussianProcess(double[][] x, double[] standardized, double yMean, double yScale, double[] theta) {
        this.x = x;
        this.standardized = standardized;
        this.yMean = yMean;
        this.yScale = yScale;
        int d = x[0].length;
        this.lengths = new double[d];
        for (int i = 0; i < d; i++) {
            lengths[i] = Math.exp(theta[i]);
        }
        this.signal = Math.exp(theta[d]);
        this.noise = Math.exp(theta[d + 1]);
        CholeskyDecomposition cholesky = new CholeskyDecomposition(covariance(x, lengths, signal, noise));
        this.alpha = cholesky.getSolver().solve(new ArrayRealVector(standardized, false));
        this.inverse = cholesky.getSolver().getInverse();
    }

    /**
     * Fits the hyperparameters to the observations and conditions on them.
     *
     * @param x inputs, each in [0, 1]^d, at least two rows
     * @param observations observations, larger is better; warped and standardised inside
     * @param maxEvaluations the optimiser's budget of likelihood evaluations
     * @return the fitted process
     */
    static GaussianProcess fit(double[][] x, double[] observations, int maxEvaluations) {
        double[] y = halfRankWarp(observations);
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= y.length;
        double variance = 0;
        for (double v : y) {
            variance += (v - mean) * (v - mean);
        }
        double scale = Math.sqrt(variance / y.length);
        if (!(scale > 1e-12)) {
            scale = 1.0;
        }
        double[] z = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            z[i] = (y[i] - mean) / scale;
        }
        int d = x[0].length;
        double[] theta = hyperparameters(x, z, d, maxEvaluations);
        return new GaussianProcess(x, z, mean, scale, theta);
    }

    /**
     * The same kernel hyperparameters, conditioned on more points (for example pending trials with
     * their predicted mean, the "kriging believer": their variance drops, their mean does not move).
     *
     * @param moreX the extra inputs
     * @param moreY their observations, on the scale of {@link #mean}
     * @return the conditioned process
     */
    GaussianProcess withPoints(double[][] moreX, double[] moreY) {
        if (moreX.length == 0) {
            return this;
        }
        double[][] allX = new double[x.length + moreX.length][];
        double[] allZ = new double[x.length + moreX.length];
        for (int i = 0; i < x.length; i++) {
            allX[i] = x[i];
            allZ[i] = standardized[i];
        }
        for (int i = 0; i < moreX.length; i++) {
            allX[x.length + i] = moreX[i];
            allZ[x.length + i] = (moreY[i] - yMean) / yScale;
        }
        return new GaussianProcess(allX, allZ, yMean, yScale, theta());
    }

    /**
     * The half-rank warp of Google Vizier's Gaussian-process bandit: observations at or above the
     * median stay as they are; one below it becomes, if that is higher, median + &sigma;
     * &Phi;<sup>-1</sup>((rank + &frac12;) / n), with its rank among all n observations (0 for the
     * worst, ties sharing their mean rank) and &sigma; the root mean square distance of the better
     * half from the median. The order of the observations is kept, and outliers far below the rest
     * come to within about 2&sigma; of the median.
     *
     * @param y observations, larger is better
     * @return the warped observations, in the same order
     */
    static double[] halfRankWarp(double[] y) {
        int n = y.length;
        double[] sorted = y.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double squares = 0;
        int good = 0;
        for (double v : y) {
            if (v >= median) {
                squares += (v - median) * (v - median);
                good++;
            }
        }
        double sigma = Math.sqrt(squares / good);
        double[] warped = y.clone();
        if (!(sigma > 0)) {
            return warped;
        }
        NormalDistribution normal = new NormalDistribution();
        for (int i = 0; i < n; i++) {
            if (y[i] < median) {
                int below = 0;
                int equal = 0;
                for (double v : y) {
                    below += v < y[i] ? 1 : 0;
                    equal += v == y[i] ? 1 : 0;
                }
                double rank = below + (equal - 1) / 2.0;
                warped[i] = Math.max(y[i], median + sigma * normal.inverseCumulativeProbability((rank + 0.5) / n));
            }
        }
        return warped;
    }

    private double[] theta() {
        double[] theta = new double[lengths.length + 2];
        for (int i = 0; i < lengths.length; i++) {
            theta[i] = Math.log(lengths[i]);
        }
        theta[lengths.length] = Math.log(signal);
        theta[lengths.length + 1] = Math.log(noise);
        return theta;
    }

    private static double[] hyperparameters(double[][] x, double[] z, int d, int maxEvaluations) {
        int n = d + 2;
        double[] lower = new double[n];
        double[] upper = new double[n];
        double[] start = new double[n];
        for (int i = 0; i < d; i++) {
            lower[i] = MIN_LOG_LENGTH;
            upper[i] = MAX_LOG_LENGTH;
            start[i] = Math.log(0.3);
        }
        lower[d] = MIN_LOG_SIGNAL;
        upper[d] = MAX_LOG_SIGNAL;
        start[d] = 0.0;
        lower[d + 1] = MIN_LOG_NOISE;
        upper[d + 1] = MAX_LOG_NOISE;
        start[d + 1] = Math.log(1e-3);
        BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * n + 1, 0.5, 1e-2);
        double[] best = start.clone();
        double[] bestValue = {logPosterior(x, z, start)};
        try {
            optimizer.optimize(
                    new MaxEval(maxEvaluations),
                    new ObjectiveFunction(theta -> {
                        double value = logPosterior(x, z, theta);
                        if (value > bestValue[0]) {
                            bestValue[0] = value;
                            System.arraycopy(theta, 0, best, 0, n);
                        }
                        return value;
                    }),
                    GoalType.MAXIMIZE,
                    new InitialGuess(start),
                    new SimpleBounds(lower, upper));
        } catch (MathIllegalStateException e) {
            // the budget ran out before the trust region shrank: keep the best point evaluated
        }
        return best;
    }

    /** The log marginal likelihood plus the log priors, -1e300 where the covariance is not positive definite. */
    static double logPosterior(double[][] x, double[] z, double[] theta) {
        int d = x[0].length;
        double[] lengths = new double[d];
        double prior = 0;
        for (int i = 0; i < d; i++) {
            lengths[i] = Math.exp(theta[i]);
            double u = (theta[i] - Math.log(0.5)) / 1.5;
            prior -= 0.5 * u * u;
        }
        double noiseDeviation = (theta[d + 1] - Math.log(1e-2)) / 3.0;
        prior -= 0.5 * noiseDeviation * noiseDeviation;
        double signalDeviation = theta[d] / 2.0;
        prior -= 0.5 * signalDeviation * signalDeviation;
        try {
            CholeskyDecomposition cholesky = new CholeskyDecomposition(
                    covariance(x, lengths, Math.exp(theta[d]), Math.exp(theta[d + 1])));
            RealVector y = new ArrayRealVector(z, false);
            RealVector a = cholesky.getSolver().solve(y);
            RealMatrix l = cholesky.getL();
            double logDet = 0;
            for (int i = 0; i < z.length; i++) {
                logDet += Math.log(l.getEntry(i, i));
            }
            return -0.5 * y.dotProduct(a) - logDet - 0.5 * z.length * LOG_2PI + prior;
        } catch (NonPositiveDefiniteMatrixException e) {
            return -1e300;
        }
    }

    private static RealMatrix covariance(double[][] x, double[] lengths, double signal, double noise) {
        int n = x.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            k[i][i] = signal + noise + JITTER;
            for (int j = 0; j < i; j++) {
                double v = kernel(x[i], x[j], lengths, signal);
                k[i][j] = v;
                k[j][i] = v;
            }
        }
        return new Array2DRowRealMatrix(k, false);
    }

    private static double kernel(double[] a, double[] b, double[] lengths, double signal) {
        double r2 = 0;
        for (int i = 0; i < a.length; i++) {
            double t = (a[i] - b[i]) / lengths[i];
            r2 += t * t;
        }
        double r = Math.sqrt(r2);
        return signal * (1 + SQRT5 * r + 5.0 / 3.0 * r2) * Math.exp(-SQRT5 * r);
    }

    /**
     * @param point an input in [0, 1]^d
     * @return the posterior mean and standard deviation of the standardised latent function there
     */
    double[] predictStandardized(double[] point) {
        double[] k = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            k[i] = kernel(point, x[i], lengths, signal);
        }
        RealVector kv = new ArrayRealVector(k, false);
        double mean = kv.dotProduct(alpha);
        double variance = signal - kv.dotProduct(inverse.operate(kv));
        return new double[] {mean, Math.sqrt(Math.max(variance, 1e-12))};
    }

    /**
     * @param point an input
     * @return the posterior mean on the scale of the warped observations (the observations' own
     *     scale from their median up)
     */
    double mean(double[] point) {
        return yMean + yScale * predictStandardized(point)[0];
    }

    /** @return the best (largest) standardised observation */
    double bestStandardized() {
        double best = Double.NEGATIVE_INFINITY;
        for (double v : standardized) {
            best = Math.max(best, v);
        }
        return best;
    }

    /** @return the fitted length scales, one per input */
    double[] lengthScales() {
        return lengths.clone();
    }

    /** @return the fitted noise variance, in standardised units */
    double noiseVariance() {
        return noise;
    }
}

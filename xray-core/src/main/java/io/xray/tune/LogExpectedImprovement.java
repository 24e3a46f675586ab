package io.xray.tune;

import org.apache.commons.math3.special.Erf;

/**
 * The logarithm of expected improvement, computed so that it stays finite and ordered far from the
 * incumbent where plain EI underflows to zero and gives an optimiser no slope (Ament et al., 2023,
 * "Unexpected improvements to expected improvement"). For a posterior N(mu, sigma^2) and the best
 * value so far f*, with z = (mu - f*) / sigma: EI = sigma * h(z), h(z) = phi(z) + z * Phi(z).
 */
final class LogExpectedImprovement {

    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double SQRT2 = Math.sqrt(2);

    private LogExpectedImprovement() {}

    /**
     * @param mean the posterior mean (larger is better)
     * @param deviation the posterior standard deviation, more than 0
     * @param best the best value so far
     * @return log EI
     */
    static double of(double mean, double deviation, double best) {
        double z = (mean - best) / deviation;
        return logH(z) + Math.log(deviation);
    }

    /** log(phi(z) + z Phi(z)), accurate from large positive z down to z of about -1e150. */
    static double logH(double z) {
        if (z > -20) {
            double phi = Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
            double cdf = 0.5 * Erf.erfc(-z / SQRT2);
            double h = phi + z * cdf;
            if (h > 0) {
                return Math.log(h);
            }
        }
        // h(z) = phi(z) * (1 - |z| R(|z|)) with Mills' ratio R; asymptotically phi(z)/z^2 * (1 - 3/z^2 + 15/z^4 - 105/z^6)
        double z2 = z * z;
        double series = 1 - 3 / z2 + 15 / (z2 * z2) - 105 / (z2 * z2 * z2);
        return -0.5 * z2 - LOG_SQRT_2PI - Math.log(z2) + Math.log(series);
    }
}

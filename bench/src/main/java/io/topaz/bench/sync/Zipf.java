package io.topaz.bench.sync;

import java.util.Arrays;
import java.util.Random;

/** A Zipf distribution over {@code 0 … n-1} (rank 0 the most frequent), sampled by a search of its CDF. */
final class Zipf {

    private final double[] cdf;

    /** @param exponent 0 gives a uniform distribution; 1 and above, a few very hot ranks */
    Zipf(int n, double exponent) {
        if (n < 1 || exponent < 0 || Double.isNaN(exponent)) {
            throw new IllegalArgumentException("Zipf needs n >= 1 and an exponent >= 0 (n=" + n + ", exponent="
                    + exponent + ")");
        }
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    int sample(Random random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }

    /** The share of samples that fall on rank {@code i}. */
    double share(int i) {
        return i == 0 ? cdf[0] : cdf[i] - cdf[i - 1];
    }
}

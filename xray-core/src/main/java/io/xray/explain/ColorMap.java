package io.xray.explain;

/**
 * A colour map from {@code [0, 1]} to sRGB, as a table of 256 colours.
 *
 * <p>{@link #viridis()} is matplotlib's default map: perceptually uniform (equal steps in value
 * look like equal steps in colour), readable by people with the common colour-vision deficiencies,
 * and monotonic in lightness, so it still reads in gray print. The table is computed from a
 * degree-6 polynomial fit of viridis (within about 1% of the published table), so no data file
 * or dependency is needed.
 */
public final class ColorMap {

    private static final double[][] VIRIDIS_COEFFICIENTS = {
        {0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
        {0.1050930431085774, 1.404613529898575, 1.384590162594685},
        {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
        {-4.634230498983486, -5.799100973351585, -19.33244095627987},
        {6.228269936347081, 14.17993336680509, 56.69055260068105},
        {4.776384997670288, -13.74514537774601, -65.35303263337234},
        {-5.435455855934631, 4.645852612178535, 26.3124352495832},
    };

    private static final ColorMap VIRIDIS = new ColorMap("viridis", polynomialTable(VIRIDIS_COEFFICIENTS));

    private final String name;
    private final int[] table;

    private ColorMap(String name, int[] table) {
        this.name = name;
        this.table = table;
    }

    /** @return viridis, dark blue-violet (0) through green to yellow (1) */
    public static ColorMap viridis() {
        return VIRIDIS;
    }

    /** @return the map's name, such as {@code viridis} */
    public String name() {
        return name;
    }

    /**
     * @param value a value in {@code [0, 1]}; smaller values give the first colour, larger ones
     *     the last, NaN the first
     * @return its colour as {@code 0xRRGGBB}
     */
    public int rgb(double value) {
        if (!(value > 0)) {
            return table[0];
        }
        if (value >= 1) {
            return table[table.length - 1];
        }
        return table[(int) (value * (table.length - 1) + 0.5)];
    }

    private static int[] polynomialTable(double[][] c) {
        int[] table = new int[256];
        for (int i = 0; i < table.length; i++) {
            double t = i / 255.0;
            int rgb = 0;
            for (int channel = 0; channel < 3; channel++) {
                double v = c[6][channel];
                for (int k = 5; k >= 0; k--) {
                    v = c[k][channel] + t * v;
                }
                int byteValue = (int) Math.round(Math.max(0, Math.min(1, v)) * 255);
                rgb = (rgb << 8) | byteValue;
            }
            table[i] = rgb;
        }
        return table;
    }

    @Override
    public String toString() {
        return "ColorMap[" + name + "]";
    }
}

package io.xray.model;

import io.xray.XrayException;

/** A reduced precision refused by the accuracy guard: it changed the model's results too much. */
public class PrecisionRejectedException extends XrayException {
    private static final long serialVersionUID = 1L;

    private final transient PrecisionCheck check;

    /** @param check the figures that failed their limits */
    public PrecisionRejectedException(PrecisionCheck check) {
        super("refused " + check.precision().label() + ": " + check.summary()
                + "; use fp32, or relax the limits (InferenceOptions.maxAucChange, maxFlippedShare)");
        this.check = check;
    }

    /** @return the figures */
    public PrecisionCheck check() {
        return check;
    }
}

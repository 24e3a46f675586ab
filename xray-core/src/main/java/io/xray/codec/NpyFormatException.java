package io.xray.codec;

import io.xray.XrayException;

/**
 * An NPY payload that xray refuses to read: bad magic, an unsupported version, a malformed header
 * dictionary, an unsupported dtype (object/pickled arrays included), Fortran order, or a declared
 * shape that does not match the length of the data. A server answers it with 400.
 */
public class NpyFormatException extends XrayException {
    private static final long serialVersionUID = 1L;

    /** @param reason what is wrong with the payload */
    public NpyFormatException(String reason) {
        super("invalid NPY: " + reason);
    }
}

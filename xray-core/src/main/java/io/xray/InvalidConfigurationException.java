package io.xray;

/**
 * A configuration value that cannot work, detected when the configuration is built rather than
 * when it is first used. The message starts with the name of the bad field.
 */
public class InvalidConfigurationException extends XrayException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field the name of the offending field, as the builder method spells it
     * @param reason what is wrong with its value
     */
    public InvalidConfigurationException(String field, String reason) {
        super(field + ": " + reason);
        this.field = field;
    }

    /** @return the name of the offending field */
    public String field() {
        return field;
    }
}

package io.xray.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of numeric option values that a command makes as it starts, before it reads any data or
 * model. A bad value is reported as picocli reports one it cannot convert, naming the option as the
 * user typed it ({@code Invalid value for option '--hamming': must be 0 to 64, was -3}, then the
 * command's usage, exit status 2), rather than by the library field it ends up in
 * ({@code hammingThreshold}). The ranges are the library's, so that a value passing here is not
 * refused later under another name.
 */
final class OptionChecks {

    private final CommandSpec spec;

    private OptionChecks(CommandSpec spec) {
        this.spec = spec;
    }

    /**
     * @param spec the command whose options are checked (a mixin's own {@code @Spec} is not it)
     * @return the checks for that command
     */
    static OptionChecks of(CommandSpec spec) {
        return new OptionChecks(spec);
    }

    /**
     * @param option the option's name, such as {@code --batch-size}
     * @param value its value, or null when it was not given and has no default
     * @param min the smallest value allowed
     * @return these checks, for the next one
     * @throws ParameterException naming the option when the value is below {@code min}
     */
    OptionChecks atLeast(String option, Number value, long min) {
        if (value != null && value.longValue() < min) {
            throw invalid(option, "must be at least " + min, value);
        }
        return this;
    }

    /**
     * @param option the option's name
     * @param value its value, or null when it was not given and has no default
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return these checks, for the next one
     * @throws ParameterException naming the option when the value is outside {@code [min, max]}
     */
    OptionChecks between(String option, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw invalid(option, "must be " + min + " to " + max, value);
        }
        return this;
    }

    /**
     * A share of a split where 0 means "none": {@code --val-fraction 0} carves nothing.
     *
     * @param option the option's name
     * @param value its value, or null when it was not given
     * @return these checks, for the next one
     * @throws ParameterException naming the option unless the value is 0 or more and under 1
     */
    OptionChecks fractionOrZero(String option, Double value) {
        if (value != null && !(value >= 0 && value < 1)) {
            throw invalid(option, "must be 0 (none) or a share between 0 and 1, such as 0.1", value);
        }
        return this;
    }

    /**
     * @param option the option's name
     * @param value its value
     * @return these checks, for the next one
     * @throws ParameterException naming the option unless the value is strictly between 0 and 1
     */
    OptionChecks fraction(String option, double value) {
        if (!(value > 0 && value < 1)) {
            throw invalid(option, "must be a share strictly between 0 and 1, such as 0.1", value);
        }
        return this;
    }

    /**
     * @param option the option's name
     * @param value its value
     * @return these checks, for the next one
     * @throws ParameterException naming the option when the value is negative or not a number
     */
    OptionChecks notNegative(String option, double value) {
        if (!(value >= 0)) {
            throw invalid(option, "must be 0 or more", value);
        }
        return this;
    }

    /**
     * @param option the option's name
     * @param rule what the value must be, such as {@code must be at least 1}
     * @param value the value given
     * @return the exception picocli reports as a usage error, naming the option
     */
    ParameterException invalid(String option, String rule, Object value) {
        String shown = String.valueOf(value);
        return new ParameterException(spec.commandLine(),
                "Invalid value for option '" + option + "': " + rule + ", was " + shown,
                spec.findOption(option), shown);
    }
}

package io.xray.debug;

/** A rule's verdict, as SageMaker Debugger words it. */
public enum RuleStatus {
    /** The rule saw nothing wrong. */
    NO_ISSUES_FOUND("NoIssuesFound"),
    /** The rule fired. */
    ISSUES_FOUND("IssuesFound");

    private final String sageMakerName;

    RuleStatus(String sageMakerName) {
        this.sageMakerName = sageMakerName;
    }

    /** @return {@code NoIssuesFound} or {@code IssuesFound} */
    public String sageMakerName() {
        return sageMakerName;
    }
}

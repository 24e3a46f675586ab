package io.xray.serve;

import io.xray.InvalidConfigurationException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Whether and how {@link ModelServer} may fetch an image named by a request body
 * {@code {"url": "..."}}. Off unless a policy with at least one allowed host is given.
 *
 * <p>Even for an allowed host the server refuses, before connecting, any URL that is not
 * {@code http} or {@code https}, carries user information, or whose host resolves to a
 * non-public address (loopback, link-local such as the metadata address 169.254.169.254, private,
 * unique-local, ...; see {@code AddressRules}). Redirects are followed by hand, at most
 * {@link #maxRedirects()} times, and every hop is checked again: allow-list, then DNS resolution,
 * then addresses. The download is bounded by {@link #maxBytes()} and {@link #timeout()}.
 */
public final class UrlFetchPolicy {

    private final Set<String> allowedHosts;
    private final long maxBytes;
    private final Duration timeout;
    private final int maxRedirects;
    private final Set<Integer> loopbackPortsForTests;

    private UrlFetchPolicy(Builder builder) {
        this.allowedHosts = Collections.unmodifiableSet(new LinkedHashSet<>(builder.allowedHosts));
        this.maxBytes = builder.maxBytes;
        this.timeout = builder.timeout;
        this.maxRedirects = builder.maxRedirects;
        this.loopbackPortsForTests = Set.copyOf(builder.loopbackPortsForTests);
    }

    /** @return a builder: no hosts, 6 MiB, 10 s, 3 redirects */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the host names (lower case) that URLs may name, exactly; no wildcards */
    public Set<String> allowedHosts() {
        return allowedHosts;
    }

    /** @return the largest image the server downloads, in bytes */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return the time limit for the whole fetch, redirects included */
    public Duration timeout() {
        return timeout;
    }

    /** @return how many redirects are followed at most */
    public int maxRedirects() {
        return maxRedirects;
    }

    /** @return whether {@code host} (any case) is on the allow-list */
    boolean allows(String host) {
        return host != null && allowedHosts.contains(host.toLowerCase(Locale.ROOT));
    }

    /** Test-only: loopback ports that tests opened explicitly; always empty in production. */
    Set<Integer> loopbackPortsForTests() {
        return loopbackPortsForTests;
    }

    /** Builds a {@link UrlFetchPolicy}; validated in {@link #build()}. */
    public static final class Builder {
        private final Set<String> allowedHosts = new LinkedHashSet<>();
        private long maxBytes = 6L * 1024 * 1024;
        private Duration timeout = Duration.ofSeconds(10);
        private int maxRedirects = 3;
        private final Set<Integer> loopbackPortsForTests = new LinkedHashSet<>();

        private Builder() {
        }

        /**
         * @param host a host name or IP literal that URLs may name (matched exactly, case-insensitively)
         * @return this builder
         */
        public Builder allowHost(String host) {
            if (host == null || host.isBlank()) {
                throw new InvalidConfigurationException("allowHost", "must not be blank");
            }
            allowedHosts.add(host.trim().toLowerCase(Locale.ROOT));
            return this;
        }

        /**
         * @param maxBytes the largest image to download; 1 byte to 64 MiB
         * @return this builder
         */
        public Builder maxBytes(long maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * @param timeout the time limit for the whole fetch; more than 0 and at most 30 s
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * @param maxRedirects how many redirects to follow; 0 to 10
         * @return this builder
         */
        public Builder maxRedirects(int maxRedirects) {
            this.maxRedirects = maxRedirects;
            return this;
        }

        /**
         * Test-only opt-in, reachable from this package only: lets the fetcher connect to the
         * loopback interface on exactly this port, so tests can serve images from a local server.
         */
        Builder allowLoopbackPortForTests(int port) {
            loopbackPortsForTests.add(port);
            return this;
        }

        /**
         * @return the policy
         * @throws InvalidConfigurationException naming the bad field
         */
        public UrlFetchPolicy build() {
            if (allowedHosts.isEmpty()) {
                throw new InvalidConfigurationException("allowHost", "at least one host must be allowed to enable URL fetching");
            }
            if (maxBytes < 1 || maxBytes > 64L * 1024 * 1024) {
                throw new InvalidConfigurationException("maxBytes", "must be between 1 and 67108864, was " + maxBytes);
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new InvalidConfigurationException("timeout", "must be more than 0 and at most 30 s, was " + timeout);
            }
            if (maxRedirects < 0 || maxRedirects > 10) {
                throw new InvalidConfigurationException("maxRedirects", "must be between 0 and 10, was " + maxRedirects);
            }
            return new UrlFetchPolicy(this);
        }
    }
}

package org.functorrent.tracker;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A tracker's answer to an announce that did not fail.
 *
 * @param interval how long to wait before the next regular announce
 * @param minInterval never announce more often than this, if the tracker said so
 * @param seeders the tracker's {@code complete} count, if it sent one
 * @param leechers the tracker's {@code incomplete} count, if it sent one
 * @param trackerId to send back in later announces, if the tracker sent one
 * @param warning the tracker's {@code warning message}, if any
 * @param peers IPv4 and IPv6 peers, in the tracker's order; a peer that the tracker named by host
 *     name is unresolved
 */
public record AnnounceResponse(
    Duration interval,
    Optional<Duration> minInterval,
    OptionalInt seeders,
    OptionalInt leechers,
    Optional<String> trackerId,
    Optional<String> warning,
    ImmutableList<InetSocketAddress> peers) {
  public AnnounceResponse {
    requireNonNull(interval, "interval");
    requireNonNull(minInterval, "minInterval");
    requireNonNull(seeders, "seeders");
    requireNonNull(leechers, "leechers");
    requireNonNull(trackerId, "trackerId");
    requireNonNull(warning, "warning");
    requireNonNull(peers, "peers");
    checkArgument(!interval.isNegative(), "interval: %s (expected: >= 0)", interval);
  }
}

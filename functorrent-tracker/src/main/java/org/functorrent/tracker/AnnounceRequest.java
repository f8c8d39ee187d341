package org.functorrent.tracker;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;

/**
 * One announce to one tracker.
 *
 * @param port the port this peer listens on
 * @param numWant how many peers to ask for; -1 leaves it to the tracker
 * @param key a random number that stays the same for the session, so that a tracker recognises this
 *     peer when its address changes
 * @param trackerId the {@code tracker id} the tracker gave in an earlier response, if any
 */
public record AnnounceRequest(
    InfoHash infoHash,
    PeerId peerId,
    int port,
    TransferStats stats,
    AnnounceEvent event,
    int numWant,
    int key,
    Optional<String> trackerId) {
  /** The default {@code numwant}. */
  public static final int DEFAULT_NUM_WANT = 50;

  public AnnounceRequest {
    requireNonNull(infoHash, "infoHash");
    requireNonNull(peerId, "peerId");
    requireNonNull(stats, "stats");
    requireNonNull(event, "event");
    requireNonNull(trackerId, "trackerId");
    checkArgument(port >= 0 && port <= 0xffff, "port: %s (expected: 0 to 65535)", port);
    checkArgument(numWant >= -1, "numWant: %s (expected: >= -1)", numWant);
  }

  /** A request with event {@code NONE}, {@code numwant} 50, key 0 and no tracker id. */
  public static AnnounceRequest of(
      InfoHash infoHash, PeerId peerId, int port, TransferStats stats) {
    return new AnnounceRequest(
        infoHash, peerId, port, stats, AnnounceEvent.NONE, DEFAULT_NUM_WANT, 0, Optional.empty());
  }

  public AnnounceRequest withEvent(AnnounceEvent newEvent) {
    return new AnnounceRequest(infoHash, peerId, port, stats, newEvent, numWant, key, trackerId);
  }

  public AnnounceRequest withStats(TransferStats newStats) {
    return new AnnounceRequest(infoHash, peerId, port, newStats, event, numWant, key, trackerId);
  }

  public AnnounceRequest withNumWant(int newNumWant) {
    return new AnnounceRequest(infoHash, peerId, port, stats, event, newNumWant, key, trackerId);
  }

  public AnnounceRequest withKey(int newKey) {
    return new AnnounceRequest(infoHash, peerId, port, stats, event, numWant, newKey, trackerId);
  }

  public AnnounceRequest withTrackerId(Optional<String> newTrackerId) {
    return new AnnounceRequest(infoHash, peerId, port, stats, event, numWant, key, newTrackerId);
  }
}

package org.functorrent.tracker;

import org.functorrent.common.TorrentException;

/**
 * A tracker announce or scrape failed. {@link #reason()} says why in one line: the tracker's own
 * {@code failure reason}, a timeout, an unreachable host, or what was malformed in its response.
 */
public class TrackerException extends TorrentException {
  private static final long serialVersionUID = 1L;

  private final String tracker;
  private final String reason;

  public TrackerException(String tracker, String reason) {
    super(tracker + ": " + reason);
    this.tracker = tracker;
    this.reason = reason;
  }

  public TrackerException(String tracker, String reason, Throwable cause) {
    super(tracker + ": " + reason, cause);
    this.tracker = tracker;
    this.reason = reason;
  }

  /** The tracker's URL. */
  public String tracker() {
    return tracker;
  }

  /** Why it failed, without the URL. */
  public String reason() {
    return reason;
  }
}

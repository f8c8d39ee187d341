package org.functorrent.tracker;

/** The {@code event} of an announce (BEP 3; the numbers are BEP 15's). */
public enum AnnounceEvent {
  /** A regular announce, sent every interval: no {@code event} parameter. */
  NONE(0, ""),
  /** The download finished; sent once, never when the torrent was complete from the start. */
  COMPLETED(1, "completed"),
  /** The first announce of a torrent. */
  STARTED(2, "started"),
  /** The torrent stops. */
  STOPPED(3, "stopped");

  private final int udpCode;
  private final String httpName;

  AnnounceEvent(int udpCode, String httpName) {
    this.udpCode = udpCode;
    this.httpName = httpName;
  }

  /** The number of this event in a UDP announce (BEP 15). */
  public int udpCode() {
    return udpCode;
  }

  /** The value of the HTTP {@code event} parameter; empty for {@link #NONE}. */
  public String httpName() {
    return httpName;
  }

  /** The event with UDP code {@code code}, or {@link #NONE} for an unknown code. */
  public static AnnounceEvent ofUdpCode(int code) {
    for (AnnounceEvent e : values()) {
      if (e.udpCode == code) {
        return e;
      }
    }
    return NONE;
  }
}

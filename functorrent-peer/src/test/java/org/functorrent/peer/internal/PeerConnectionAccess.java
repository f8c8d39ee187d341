package org.functorrent.peer.internal;

/** The connection's limits, for tests outside this package. */
public final class PeerConnectionAccess {
  private PeerConnectionAccess() {}

  public static int unrequestedAllowance() {
    return PeerConnection.UNREQUESTED_ALLOWANCE;
  }

  public static int refusedAllowance() {
    return PeerConnection.REFUSED_ALLOWANCE;
  }

  public static int maxReadBytesInFlight() {
    return PeerConnection.MAX_READ_BYTES_IN_FLIGHT;
  }
}

package org.functorrent.dht.internal;

import java.util.Optional;
import org.functorrent.bencode.BencodeString;
import org.functorrent.common.TorrentException;

/**
 * A malformed KRPC message. When the message got as far as a transaction id and a type, they are
 * kept, so that a broken query can still be answered with error 203 and a broken response can
 * fail the query it answers.
 */
public final class KrpcException extends TorrentException {
  private static final long serialVersionUID = 1L;

  private final transient BencodeString transactionId;
  private final char type;

  KrpcException(String problem, BencodeString transactionId, char type) {
    super("malformed KRPC message: " + problem);
    this.transactionId = transactionId;
    this.type = type;
  }

  KrpcException(String problem, Throwable cause) {
    super("malformed KRPC message: " + problem, cause);
    this.transactionId = null;
    this.type = 0;
  }

  /** The transaction id, if the message had a valid one. */
  public Optional<BencodeString> transactionId() {
    return Optional.ofNullable(transactionId);
  }

  /** 'q', 'r' or 'e' if the message had a valid type, else 0. */
  public char type() {
    return type;
  }
}

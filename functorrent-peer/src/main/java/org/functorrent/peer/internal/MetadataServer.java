package org.functorrent.peer.internal;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.peer.internal.MetadataMessage.Data;
import org.functorrent.peer.internal.MetadataMessage.Reject;
import org.functorrent.peer.internal.MetadataMessage.Request;

/**
 * Serves our info dictionary to peers that ask for it with {@code ut_metadata} (BEP 9): each
 * request gets its 16 KiB piece (the last one shorter) with {@code total_size}, or a reject for a
 * piece out of range. The work a peer can make us do is bounded: a connection gets at most {@code
 * 2 x pieces + 8} data messages (enough to fetch the metadata twice over); later requests are
 * rejected, and a connection that keeps asking past {@link #MAX_REJECTS} rejects is closed. While
 * the socket does not take more data, requests are rejected rather than queued.
 */
final class MetadataServer implements ExtensionHandler {
  static final int MAX_REJECTS = 256;

  /** The torrent's metadata, read from the {@code MetaInfo} piece by piece (no copy kept). */
  private final MetaInfo meta;
  private final int size;
  private final int pieces;
  private final Map<PeerConnection, int[]> counts = new HashMap<>();

  MetadataServer(MetaInfo meta) {
    this.meta = meta;
    this.size = meta.infoLength();
    this.pieces = MetadataMessage.pieceCount(size);
  }

  @Override
  public String name() {
    return MetadataMessage.NAME;
  }

  int size() {
    return size;
  }

  @Override
  public void messageReceived(PeerConnection connection, ByteBuf payload) {
    MetadataMessage message = MetadataMessage.decode(payload);
    if (!(message instanceof Request request)) {
      return; // a data or reject we never asked for, or an unknown type: ignored
    }
    OptionalInt remoteId = connection.remoteExtensionId(MetadataMessage.NAME);
    if (remoteId.isEmpty()) {
      throw new PeerProtocolException("ut_metadata request from a peer that has no ut_metadata");
    }
    int[] count = counts.computeIfAbsent(connection, c -> new int[2]); // {served, rejected}
    int piece = request.piece();
    MetadataMessage answer;
    if (piece >= pieces || count[0] >= 2 * pieces + 8 || !connection.channel().isWritable()) {
      if (++count[1] > MAX_REJECTS) {
        throw new PeerProtocolException(
            "more than " + MAX_REJECTS + " ut_metadata requests rejected (expected: fewer)");
      }
      answer = new Reject(piece);
    } else {
      count[0]++;
      int from = piece * MetadataMessage.PIECE_SIZE;
      int length = MetadataMessage.pieceLength(size, piece);
      answer = new Data(piece, size, meta.infoBytes(from, length));
    }
    connection.sendExtended(remoteId.getAsInt(), MetadataMessage.encode(answer));
  }

  @Override
  public void connectionClosed(PeerConnection connection) {
    counts.remove(connection);
  }
}

package org.functorrent.dht.internal;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.functorrent.bencode.BencodeString;
import org.functorrent.dht.NodeId;
import org.functorrent.metainfo.InfoHash;

/** A KRPC message (BEP 5): a query, a response or an error, each with its transaction id. */
public sealed interface KrpcMessage {
  /** The transaction id ({@code t}) chosen by the querying node and echoed by the answer. */
  BencodeString transactionId();

  /** A query ({@code y = q}): the method and the querying node's id. */
  sealed interface Query extends KrpcMessage {
    NodeId sender();

    String method();
  }

  record Ping(BencodeString transactionId, NodeId sender) implements Query {
    @Override
    public String method() {
      return "ping";
    }
  }

  record FindNode(BencodeString transactionId, NodeId sender, NodeId target) implements Query {
    @Override
    public String method() {
      return "find_node";
    }
  }

  record GetPeers(BencodeString transactionId, NodeId sender, InfoHash infoHash)
      implements Query {
    @Override
    public String method() {
      return "get_peers";
    }
  }

  /**
   * announce_peer; with {@code impliedPort} the peer's port is the UDP source port and {@code
   * port} is to be ignored.
   */
  record AnnouncePeer(
      BencodeString transactionId,
      NodeId sender,
      InfoHash infoHash,
      int port,
      boolean impliedPort,
      BencodeString token)
      implements Query {
    @Override
    public String method() {
      return "announce_peer";
    }
  }

  /** A method this node does not implement (answered with error 204). */
  record UnknownQuery(BencodeString transactionId, NodeId sender, String method)
      implements Query {}

  /**
   * A response ({@code y = r}). {@code nodes} and {@code values} are empty when absent; {@code
   * requester} is the top-level {@code ip} key (BEP 42): the address the responder saw us at.
   */
  record Response(
      BencodeString transactionId,
      NodeId sender,
      ImmutableList<NodeContact> nodes,
      ImmutableList<InetSocketAddress> values,
      Optional<BencodeString> token,
      Optional<InetSocketAddress> requester)
      implements KrpcMessage {
    public static Response of(BencodeString transactionId, NodeId sender) {
      return new Response(
          transactionId, sender, ImmutableList.of(), ImmutableList.of(), Optional.empty(),
          Optional.empty());
    }
  }

  /** An error ({@code y = e}) with its code (201 generic, 202 server, 203 protocol, 204 method). */
  record Error(BencodeString transactionId, long code, String message) implements KrpcMessage {
    public static final int GENERIC = 201;
    public static final int SERVER = 202;
    public static final int PROTOCOL = 203;
    public static final int METHOD_UNKNOWN = 204;
  }
}

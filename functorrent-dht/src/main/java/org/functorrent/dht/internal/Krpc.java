package org.functorrent.dht.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.collect.ImmutableList;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDecoder;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeException;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.dht.NodeId;
import org.functorrent.dht.internal.KrpcMessage.AnnouncePeer;
import org.functorrent.dht.internal.KrpcMessage.Error;
import org.functorrent.dht.internal.KrpcMessage.FindNode;
import org.functorrent.dht.internal.KrpcMessage.GetPeers;
import org.functorrent.dht.internal.KrpcMessage.Ping;
import org.functorrent.dht.internal.KrpcMessage.Query;
import org.functorrent.dht.internal.KrpcMessage.Response;
import org.functorrent.dht.internal.KrpcMessage.UnknownQuery;
import org.functorrent.metainfo.InfoHash;

/**
 * The KRPC codec (BEP 5): bencoded dictionaries with {@code t}, {@code y} and {@code q}/{@code
 * a}, {@code r} or {@code e}. Decoding is tolerant where real nodes differ (unknown keys, the
 * optional {@code v} and {@code ip}, IPv6 peers in {@code values}, trailing bytes) and strict
 * where a wrong value would mislead us (ids of 20 bytes, node strings of 26-byte records, ports in
 * range). Stateless and thread-safe.
 */
public final class Krpc {
  /** The largest datagram we accept; bigger ones are dropped unread. */
  public static final int MAX_PACKET = 4096;

  /** The longest transaction id we accept from others. */
  public static final int MAX_TRANSACTION_ID = 16;

  private static final BencodeDecoder DECODER =
      Bencode.decoder().lenient().withMaxDepth(8);

  private Krpc() {}

  // ----------------------------------------------------------------------------- decoding

  /**
   * Decodes one datagram.
   *
   * @throws KrpcException if it is not a KRPC message this node can use
   */
  public static KrpcMessage decode(byte[] packet, int offset, int length) {
    if (length > MAX_PACKET) {
      throw new KrpcException(
          "datagram of " + length + " bytes (expected: at most " + MAX_PACKET + ")", null);
    }
    BencodeValue value;
    try {
      value = DECODER.decodePrefix(packet, offset, length).value();
    } catch (BencodeException e) {
      throw new KrpcException(e.getMessage(), e);
    }
    if (!(value instanceof BencodeDictionary message)) {
      throw new KrpcException("not a dictionary", null);
    }
    BencodeString tid = string(message, "t", null, (char) 0);
    if (tid.length() == 0 || tid.length() > MAX_TRANSACTION_ID) {
      throw new KrpcException("transaction id of " + tid.length() + " bytes (expected: 1.."
          + MAX_TRANSACTION_ID + ")", null, (char) 0);
    }
    BencodeString y = string(message, "y", tid, (char) 0);
    if (y.length() != 1) {
      throw new KrpcException("y " + y + " (expected: q, r or e)", tid, (char) 0);
    }
    char type = (char) y.byteAt(0);
    return switch (type) {
      case 'q' -> query(message, tid);
      case 'r' -> response(message, tid);
      case 'e' -> error(message, tid);
      default -> throw new KrpcException("y " + y + " (expected: q, r or e)", tid, (char) 0);
    };
  }

  public static KrpcMessage decode(byte[] packet) {
    return decode(packet, 0, packet.length);
  }

  private static Query query(BencodeDictionary message, BencodeString tid) {
    char q = 'q';
    String method = string(message, "q", tid, q).asUtf8();
    BencodeDictionary a = dictionary(message, "a", tid, q);
    NodeId sender = id(a, "id", tid, q);
    switch (method) {
      case "ping":
        return new Ping(tid, sender);
      case "find_node":
        return new FindNode(tid, sender, id(a, "target", tid, q));
      case "get_peers":
        return new GetPeers(tid, sender, InfoHash.of(id(a, "info_hash", tid, q).toByteArray()));
      case "announce_peer": {
        InfoHash infoHash = InfoHash.of(id(a, "info_hash", tid, q).toByteArray());
        boolean implied = a.get("implied_port").orElse(null) instanceof BencodeInteger i
            && i.value() != 0;
        long port;
        if (implied) {
          // The port is to be ignored; keep it only when it is a valid one.
          port = a.get("port").orElse(null) instanceof BencodeInteger p
                  && p.value() >= 0 && p.value() <= 65535 ? p.value() : 0;
        } else {
          port = integer(a, "port", tid, q);
          if (port < 1 || port > 65535) {
            throw new KrpcException(
                "announce_peer port " + port + " (expected: 1..65535)", tid, q);
          }
        }
        BencodeString token = string(a, "token", tid, q);
        return new AnnouncePeer(tid, sender, infoHash, (int) port, implied, token);
      }
      default:
        return new UnknownQuery(tid, sender, method);
    }
  }

  private static Response response(BencodeDictionary message, BencodeString tid) {
    char r = 'r';
    BencodeDictionary body = dictionary(message, "r", tid, r);
    NodeId sender = id(body, "id", tid, r);
    ImmutableList<NodeContact> nodes = ImmutableList.of();
    Optional<BencodeValue> nodesValue = body.get("nodes");
    if (nodesValue.isPresent()) {
      if (!(nodesValue.get() instanceof BencodeString s)) {
        throw new KrpcException("nodes is not a string", tid, r);
      }
      try {
        nodes = Compact.readNodes(s.toByteArray());
      } catch (IllegalArgumentException e) {
        throw new KrpcException(e.getMessage(), tid, r);
      }
    }
    ImmutableList<InetSocketAddress> values = ImmutableList.of();
    Optional<BencodeValue> valuesValue = body.get("values");
    if (valuesValue.isPresent()) {
      if (!(valuesValue.get() instanceof BencodeList list)) {
        throw new KrpcException("values is not a list", tid, r);
      }
      ImmutableList.Builder<InetSocketAddress> peers = ImmutableList.builder();
      for (BencodeValue v : list.values()) {
        if (!(v instanceof BencodeString s)) {
          throw new KrpcException("a value is not a string", tid, r);
        }
        if (s.length() == Compact.PEER_LENGTH) {
          InetSocketAddress peer = Compact.readPeer(s.toByteArray(), 0);
          if (peer.getPort() != 0) {
            peers.add(peer);
          }
        } else if (s.length() != Compact.PEER6_LENGTH) {
          throw new KrpcException("compact peer info of " + s.length()
              + " bytes (expected: 6, or 18 for IPv6)", tid, r);
        }
      }
      values = peers.build();
    }
    Optional<BencodeString> token = Optional.empty();
    Optional<BencodeValue> tokenValue = body.get("token");
    if (tokenValue.isPresent()) {
      if (!(tokenValue.get() instanceof BencodeString s)) {
        throw new KrpcException("token is not a string", tid, r);
      }
      token = Optional.of(s);
    }
    Optional<InetSocketAddress> requester = Optional.empty();
    if (message.get("ip").orElse(null) instanceof BencodeString ip
        && ip.length() == Compact.PEER_LENGTH) {
      requester = Optional.of(Compact.readPeer(ip.toByteArray(), 0));
    }
    return new Response(tid, sender, nodes, values, token, requester);
  }

  private static Error error(BencodeDictionary message, BencodeString tid) {
    char e = 'e';
    Optional<BencodeValue> value = message.get("e");
    if (value.isEmpty() || !(value.get() instanceof BencodeList list) || list.size() == 0
        || !(list.get(0) instanceof BencodeInteger code)) {
      throw new KrpcException("e is not a list [code, message]", tid, e);
    }
    String text = list.size() > 1 && list.get(1) instanceof BencodeString s ? s.asUtf8() : "";
    return new Error(tid, code.value(), text);
  }

  private static BencodeString string(
      BencodeDictionary d, String key, BencodeString tid, char type) {
    Optional<BencodeValue> v = d.get(key);
    if (v.isEmpty()) {
      throw new KrpcException("no " + key, tid, type);
    }
    if (!(v.get() instanceof BencodeString s)) {
      throw new KrpcException(key + " is not a string", tid, type);
    }
    return s;
  }

  private static long integer(BencodeDictionary d, String key, BencodeString tid, char type) {
    Optional<BencodeValue> v = d.get(key);
    if (v.isEmpty()) {
      throw new KrpcException("no " + key, tid, type);
    }
    if (!(v.get() instanceof BencodeInteger i)) {
      throw new KrpcException(key + " is not an integer", tid, type);
    }
    return i.value();
  }

  private static BencodeDictionary dictionary(
      BencodeDictionary d, String key, BencodeString tid, char type) {
    Optional<BencodeValue> v = d.get(key);
    if (v.isEmpty()) {
      throw new KrpcException("no " + key, tid, type);
    }
    if (!(v.get() instanceof BencodeDictionary dict)) {
      throw new KrpcException(key + " is not a dictionary", tid, type);
    }
    return dict;
  }

  private static NodeId id(BencodeDictionary d, String key, BencodeString tid, char type) {
    BencodeString s = string(d, key, tid, type);
    if (s.length() != NodeId.LENGTH) {
      throw new KrpcException(key + " of " + s.length() + " bytes (expected: 20)", tid, type);
    }
    return NodeId.of(s.toByteArray());
  }

  // ----------------------------------------------------------------------------- encoding

  /**
   * Encodes {@code message}. {@code version} (the {@code v} key) is added when not null; a
   * response's {@code requester} becomes the top-level {@code ip} key.
   */
  public static byte[] encode(KrpcMessage message, BencodeString version) {
    BencodeDictionary.Builder d = BencodeDictionary.builder();
    d.put("t", message.transactionId());
    if (version != null) {
      d.put("v", version);
    }
    if (message instanceof Query q) {
      d.put("y", "q");
      d.put("q", q.method());
      d.put("a", arguments(q));
    } else if (message instanceof Response r) {
      d.put("y", "r");
      BencodeDictionary.Builder body = BencodeDictionary.builder();
      body.put("id", bytes(r.sender().toByteArray()));
      if (!r.nodes().isEmpty()) {
        body.put("nodes", bytes(Compact.nodes(r.nodes())));
      }
      if (!r.values().isEmpty()) {
        body.put("values", peers(r.values()));
      }
      r.token().ifPresent(t -> body.put("token", t));
      d.put("r", body.build());
      r.requester().filter(Compact::encodable)
          .ifPresent(ip -> d.put("ip", bytes(Compact.peer(ip))));
    } else {
      Error e = (Error) message;
      d.put("y", "e");
      d.put("e", BencodeList.of(BencodeInteger.of(e.code()),
          BencodeString.of(e.message().getBytes(UTF_8))));
    }
    return Bencode.encode(d.build());
  }

  private static BencodeDictionary arguments(Query q) {
    BencodeDictionary.Builder a = BencodeDictionary.builder();
    a.put("id", bytes(q.sender().toByteArray()));
    if (q instanceof FindNode f) {
      a.put("target", bytes(f.target().toByteArray()));
    } else if (q instanceof GetPeers g) {
      a.put("info_hash", bytes(g.infoHash().toByteArray()));
    } else if (q instanceof AnnouncePeer ap) {
      a.put("info_hash", bytes(ap.infoHash().toByteArray()));
      a.put("port", ap.port());
      if (ap.impliedPort()) {
        a.put("implied_port", 1);
      }
      a.put("token", ap.token());
    }
    return a.build();
  }

  private static BencodeList peers(List<InetSocketAddress> peers) {
    ImmutableList.Builder<BencodeValue> list = ImmutableList.builder();
    for (InetSocketAddress peer : peers) {
      if (Compact.encodable(peer)) {
        list.add(bytes(Compact.peer(peer)));
      }
    }
    return new BencodeList(list.build());
  }

  private static BencodeString bytes(byte[] b) {
    return BencodeString.of(b);
  }
}

package org.functorrent.peer;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.internal.ClientCore;

/**
 * The peer side of one BitTorrent client: a peer id, an optional listen socket shared by all its
 * torrents (incoming connections are routed by info-hash), and one {@link Swarm} per torrent. It
 * runs on an {@link EventLoopGroup} that the caller owns and shuts down after {@link #close()}.
 */
public final class PeerClient implements AutoCloseable {
  private final ClientCore core;

  private PeerClient(ClientCore core) {
    this.core = core;
  }

  /**
   * A client on {@code group} (an NIO group), calling listeners on {@code callbacks} (never an
   * event loop of the group).
   */
  public static PeerClient create(
      EventLoopGroup group, PeerId peerId, Executor callbacks, PeerOptions options) {
    return new PeerClient(new ClientCore(group, peerId, callbacks, options));
  }

  /**
   * A client on a group of another transport (epoll, io_uring), with its socket channel types, such
   * as {@code EpollSocketChannel.class} and {@code EpollServerSocketChannel.class}.
   */
  public static PeerClient create(
      EventLoopGroup group,
      Class<? extends SocketChannel> socketChannelType,
      Class<? extends ServerSocketChannel> serverChannelType,
      PeerId peerId,
      Executor callbacks,
      PeerOptions options) {
    return new PeerClient(
        new ClientCore(group, peerId, callbacks, options)
            .transport(socketChannelType, serverChannelType));
  }

  public PeerId peerId() {
    return core.peerId();
  }

  /** Binds the listen socket; completes with the bound address (port 0 picks a free port). */
  public CompletableFuture<InetSocketAddress> listen(InetSocketAddress address) {
    return core.listen(address);
  }

  /**
   * Starts the swarm of a torrent. {@code verified} are the pieces the store already holds and has
   * verified; a swarm with every piece seeds.
   */
  public Swarm addTorrent(
      MetaInfo metaInfo, PieceStore store, BitSet verified, SwarmListener listener) {
    return core.addTorrent(metaInfo, store, verified, listener, List.of());
  }

  /**
   * Starts fetching the info dictionary of the torrent {@code infoHash} names from peers (BEP 9),
   * for a magnet link. {@code trackerTiers} go into the {@link MetaInfo} built at the end (the
   * caller announces to them and feeds {@link MetadataFetch#addPeers}). Until the fetch closes,
   * incoming connections for {@code infoHash} go to it.
   *
   * @throws IllegalStateException if this info-hash is already being fetched or downloaded
   */
  public MetadataFetch fetchMetadata(
      InfoHash infoHash, List<? extends List<String>> trackerTiers) {
    return core.fetchMetadata(infoHash, trackerTiers);
  }

  /**
   * Declares the client's DHT node (BEP 5) to peers: connections made from now on set the DHT bit
   * in our handshake and send a {@code port} message with {@code dhtPort} to peers that set it;
   * {@code nodes} hears the DHT address (peer IP, its port) of each peer that sends us a {@code
   * port} message, once per connection. {@code nodes} runs on an event loop: it must be quick and
   * never block (such as {@code DhtNode::addNode}, which only submits work). Without this call the
   * client says nothing of a DHT and ignores {@code port} messages.
   */
  public void dht(int dhtPort, Consumer<InetSocketAddress> nodes) {
    core.dht(dhtPort, nodes);
  }

  /** The port of the listen socket, once bound. */
  public OptionalInt listenPort() {
    return core.listenPort();
  }

  /**
   * Closes the listen socket, every swarm and every connection. Idempotent; returns once they are
   * closed (waiting at most ten seconds). The event loop group stays the caller's.
   */
  @Override
  public void close() {
    core.close();
  }
}

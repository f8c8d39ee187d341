package org.functorrent.peer.internal;

import com.google.common.collect.ImmutableMap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.PeerId;
import org.functorrent.peer.PeerOptions;
import org.functorrent.peer.internal.PeerMessage.Extended;
import org.functorrent.peer.internal.PeerMessage.ExtendedHandshake;
import org.functorrent.peer.internal.PeerMessage.KeepAlive;

/**
 * A connection of a {@link MetadataFetchEngine}: the BEP 3 handshake with only the extension
 * protocol bit, then the BEP 10 extended handshake, then {@code ut_metadata} messages only. Every
 * other message is read and dropped (we have no pieces and ask for none). Requests for our
 * metadata are rejected, as BEP 9 says, since we have none yet. It runs on its channel's loop and
 * hands events to the engine's.
 */
final class MetadataConnection extends ChannelInboundHandlerAdapter {
  /** The id we give {@code ut_metadata} in our extended handshake. */
  static final int LOCAL_METADATA_ID = 1;

  /**
   * The largest frame we read while fetching: a bitfield of a torrent of up to eight million
   * pieces, or a metadata block.
   */
  static final int MAX_FRAME = MessageCodec.maxFrameLength(8 << 20);

  private final MetadataFetchEngine engine;
  private final PeerOptions options;
  private final boolean outgoing;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> handshakeTimer;
  private Handshake remote;
  private volatile int remoteMetadataId;
  private volatile InetSocketAddress listenAddress;
  private boolean extendedSeen;
  private volatile boolean useful;
  private String closeReason;

  MetadataConnection(MetadataFetchEngine engine, boolean outgoing) {
    this.engine = engine;
    this.options = engine.options();
    this.outgoing = outgoing;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (ctx.channel().isActive()) {
      armHandshakeTimer();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (outgoing) {
      ctx.writeAndFlush(HandshakeCodec.encode(ctx.alloc(), ourHandshake()));
    }
    armHandshakeTimer();
    ctx.fireChannelActive();
  }

  private Handshake ourHandshake() {
    return new Handshake(
        Handshake.EXTENSION_PROTOCOL, engine.infoHash(), engine.client().peerId());
  }

  private void armHandshakeTimer() {
    if (handshakeTimer == null && remote == null) {
      handshakeTimer =
          ctx.executor()
              .schedule(
                  () -> {
                    if (remote == null) {
                      close("no handshake in time");
                    }
                  },
                  options.handshakeTimeout().toMillis(),
                  TimeUnit.MILLISECONDS);
    }
  }

  /** The peer's handshake, on whatever loop the channel is on. */
  void handshakeReceived(Handshake handshake) {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    if (!handshake.infoHash().equals(engine.infoHash())
        || handshake.peerId().equals(engine.client().peerId())) {
      close("wrong info-hash or our own peer id");
      return;
    }
    if (!handshake.supportsExtensionProtocol()) {
      close("no extension protocol: it cannot send metadata");
      return;
    }
    if (!engine.mayAccept(handshake.peerId())) {
      close("banned, or the fetch is over");
      return;
    }
    remote = handshake;
    String name = ctx.name();
    ctx.pipeline()
        .addBefore(name, "decoder", new MessageDecoder(MAX_FRAME))
        .addBefore(name, "encoder", MessageCodec.INSTANCE)
        .addBefore(name, "idle", new IdleStateHandler(
            options.idleTimeout().toMillis(), options.keepAliveInterval().toMillis(), 0,
            TimeUnit.MILLISECONDS));
    if (!outgoing) {
      engine.adopt(ctx.channel());
      ctx.write(HandshakeCodec.encode(ctx.alloc(), ourHandshake()));
    }
    OptionalInt port = engine.client().listenPort();
    ctx.writeAndFlush(
        new ExtendedHandshake(
            ImmutableMap.of(MetadataMessage.NAME, LOCAL_METADATA_ID),
            Optional.of(options.clientName()),
            port,
            OptionalInt.empty(),
            ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? Optional.of(a.getAddress())
                : Optional.empty(),
            OptionalLong.empty()));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Handshake h) {
        handshakeReceived(h);
      } else if (msg instanceof ExtendedHandshake h) {
        extendedHandshake(h);
      } else if (msg instanceof Extended e && e.id() == LOCAL_METADATA_ID) {
        metadataMessage(e);
      } else if (msg instanceof KeepAlive) {
        return;
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void extendedHandshake(ExtendedHandshake h) {
    if (extendedSeen) {
      return; // later handshakes may update other things; the size and id are taken once
    }
    extendedSeen = true;
    Integer id = h.extensions().get(MetadataMessage.NAME);
    if (id == null || id == 0) {
      close("no ut_metadata in its extended handshake");
      return;
    }
    remoteMetadataId = id;
    if (h.listenPort().isPresent()
        && ctx.channel().remoteAddress() instanceof InetSocketAddress a
        && a.getAddress() != null) {
      listenAddress = new InetSocketAddress(a.getAddress(), h.listenPort().getAsInt());
    } else if (outgoing && ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
      listenAddress = a;
    }
    engine.peerReady(this, h.metadataSize().orElse(0), listenAddress);
  }

  private void metadataMessage(Extended e) {
    MetadataMessage m;
    try {
      m = MetadataMessage.decode(e.content());
    } catch (PeerProtocolException x) {
      close(x.getMessage());
      return;
    }
    if (m instanceof MetadataMessage.Data data) {
      useful = true;
      engine.dataReceived(this, data);
    } else if (m instanceof MetadataMessage.Reject reject) {
      engine.rejectReceived(this, reject.piece());
    } else if (m instanceof MetadataMessage.Request request && remoteMetadataId != 0) {
      ctx.writeAndFlush(
          new Extended(
              remoteMetadataId,
              MetadataMessage.encode(new MetadataMessage.Reject(request.piece()))));
    }
  }

  /** From the engine's loop: asks the peer for a metadata piece. */
  void sendRequest(int piece) {
    ctx.writeAndFlush(
        new Extended(
            remoteMetadataId, MetadataMessage.encode(new MetadataMessage.Request(piece))));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent e) {
      if (e.state() == IdleState.READER_IDLE) {
        close("idle");
      } else if (e.state() == IdleState.WRITER_IDLE) {
        ctx.writeAndFlush(KeepAlive.INSTANCE);
      }
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    close(cause.toString());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    if (remote != null) {
      engine.connectionClosed(this);
    }
    ctx.fireChannelInactive();
  }

  /** Closes the connection (from any thread). */
  void close(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
    ctx.channel().close();
  }

  /** Whether the peer sent us at least one metadata piece. */
  boolean wasUseful() {
    return useful;
  }

  PeerId peerId() {
    return remote.peerId();
  }

  SocketAddress remoteAddress() {
    return ctx.channel().remoteAddress();
  }

  /** Where the peer listens: its {@code p}, or the address we dialled. */
  InetSocketAddress listenAddress() {
    return listenAddress;
  }

  Channel channel() {
    return ctx.channel();
  }

  @Override
  public String toString() {
    return "MetadataConnection[" + (ctx == null ? "?" : ctx.channel().remoteAddress()) + "]";
  }
}

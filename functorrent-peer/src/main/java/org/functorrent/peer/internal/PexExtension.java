package org.functorrent.peer.internal;

import com.google.common.collect.ImmutableList;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.functorrent.peer.internal.PexMessage.Contact;

/**
 * Peer exchange (BEP 11, {@code ut_pex}) for one swarm; never installed for a private torrent
 * (BEP 27). To each peer that supports it we send, at most once per interval (a minute), the
 * peers we are connected to that it has not heard of from us ({@code added}, with flags: {@link
 * PexMessage#REACHABLE} for peers we dialled, {@link PexMessage#SEED} for seeds) and those we
 * told it of and are no longer connected to ({@code dropped}), at most 50 of each per message.
 * A peer we only know by an incoming connection is told of only if its extended handshake gave
 * its listen port. From what peers send we take at most 50 addresses per field and message,
 * ignore a peer's messages that come faster than half the interval, and stop taking any once
 * the swarm knows {@link #MAX_KNOWN} addresses or has taken {@link #MAX_LEARNED} from PEX.
 */
final class PexExtension implements ExtensionHandler {
  static final int MAX_PER_MESSAGE = 50;
  static final int MAX_LEARNED = 1000;
  static final int MAX_KNOWN = 500;

  private final SwarmEngine swarm;
  private final long intervalNanos;
  private final Map<PeerConnection, State> states = new HashMap<>();
  private int learned;

  static final class State {
    final Set<InetSocketAddress> told = new LinkedHashSet<>();
    long nextSendNanos;
    boolean supported;
    boolean received;
    long lastReceivedNanos;
  }

  PexExtension(SwarmEngine swarm, long intervalNanos) {
    this.swarm = swarm;
    this.intervalNanos = intervalNanos;
  }

  @Override
  public String name() {
    return PexMessage.NAME;
  }

  private State state(PeerConnection c) {
    return states.computeIfAbsent(c, x -> new State());
  }

  @Override
  public void handshakeReceived(PeerConnection connection) {
    State s = state(connection);
    if (!s.supported && connection.remoteExtensionId(PexMessage.NAME).isPresent()) {
      s.supported = true;
      s.nextSendNanos = swarm.nanoTime(); // the first message goes at the next tick
    }
  }

  @Override
  public void connectionClosed(PeerConnection connection) {
    states.remove(connection);
  }

  /** Where a connected peer can be reached: the address we dialled, or its announced port. */
  static InetSocketAddress contactOf(PeerConnection c) {
    SocketAddress remote = c.remoteAddress();
    if (!(remote instanceof InetSocketAddress a) || a.getAddress() == null) {
      return null;
    }
    if (c.isOutgoing()) {
      return a;
    }
    OptionalInt port = c.peerListenPort();
    return port.isPresent() ? new InetSocketAddress(a.getAddress(), port.getAsInt()) : null;
  }

  @Override
  public void tick(long nowNanos) {
    Map<InetSocketAddress, Integer> live = null;
    for (Map.Entry<PeerConnection, State> e : states.entrySet()) {
      State s = e.getValue();
      if (!s.supported || nowNanos - s.nextSendNanos < 0) {
        continue;
      }
      if (live == null) {
        live = liveContacts();
      }
      PexMessage message = nextMessage(s, live, contactOf(e.getKey()));
      if (message == null) {
        continue; // nothing new: look again at the next tick
      }
      OptionalInt id = e.getKey().remoteExtensionId(PexMessage.NAME);
      if (id.isEmpty()) {
        s.supported = false;
        continue;
      }
      for (Contact c : message.added()) {
        s.told.add(c.address());
      }
      message.dropped().forEach(s.told::remove);
      s.nextSendNanos = nowNanos + intervalNanos;
      e.getKey().sendExtended(id.getAsInt(), message.encode());
    }
  }

  private Map<InetSocketAddress, Integer> liveContacts() {
    Map<InetSocketAddress, Integer> live = new LinkedHashMap<>();
    for (PeerConnection c : swarm.connectionsNow()) {
      InetSocketAddress contact = contactOf(c);
      if (contact != null) {
        int flags =
            (c.isOutgoing() ? PexMessage.REACHABLE : 0) | (c.isSeed() ? PexMessage.SEED : 0);
        live.put(contact, flags);
      }
    }
    return live;
  }

  /** What to tell a peer now, or null if nothing changed for it. */
  static PexMessage nextMessage(
      State s, Map<InetSocketAddress, Integer> live, InetSocketAddress itself) {
    List<Contact> added = new ArrayList<>();
    for (Map.Entry<InetSocketAddress, Integer> e : live.entrySet()) {
      if (added.size() == MAX_PER_MESSAGE) {
        break;
      }
      if (!e.getKey().equals(itself) && !s.told.contains(e.getKey())) {
        added.add(new Contact(e.getKey(), e.getValue()));
      }
    }
    List<InetSocketAddress> dropped = new ArrayList<>();
    for (InetSocketAddress a : s.told) {
      if (dropped.size() == MAX_PER_MESSAGE) {
        break;
      }
      if (!live.containsKey(a)) {
        dropped.add(a);
      }
    }
    if (added.isEmpty() && dropped.isEmpty()) {
      return null;
    }
    return new PexMessage(ImmutableList.copyOf(added), ImmutableList.copyOf(dropped));
  }

  @Override
  public void messageReceived(PeerConnection connection, ByteBuf payload) {
    State s = state(connection);
    long now = swarm.nanoTime();
    if (s.received && now - s.lastReceivedNanos < intervalNanos / 2) {
      return; // faster than BEP 11 allows: ignored
    }
    PexMessage message = PexMessage.decode(payload, MAX_PER_MESSAGE);
    s.received = true;
    s.lastReceivedNanos = now;
    List<InetSocketAddress> take = new ArrayList<>();
    int room = Math.min(MAX_LEARNED - learned, MAX_KNOWN - swarm.knownCount());
    for (Contact c : message.added()) {
      if (take.size() >= room) {
        break;
      }
      take.add(c.address());
    }
    if (!take.isEmpty()) {
      learned += take.size();
      swarm.addPeers(take);
    }
  }

  /** For tests: the state of a fresh peer that supports PEX. */
  static State newState() {
    return new State();
  }

  /** For tests: the addresses a peer has been told of and not told dropped. */
  static Set<InetSocketAddress> told(State s) {
    return s.told;
  }
}

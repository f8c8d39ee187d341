package org.functorrent.internal;

import io.netty.channel.EventLoopGroup;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.functorrent.dht.DhtNode;
import org.functorrent.peer.PeerClient;
import org.functorrent.tracker.TrackerClient;

/**
 * What every download of one client shares; {@code dht} is the client's DHT node, empty when the
 * client runs none.
 */
public record ClientContext(
    EventLoopGroup group,
    Executor disk,
    Executor callbacks,
    TrackerClient trackers,
    PeerClient peers,
    int listenPort,
    Optional<DhtNode> dht) {}

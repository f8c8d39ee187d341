package org.functorrent.internal;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.Executor;
import org.functorrent.peer.PeerClient;
import org.functorrent.tracker.TrackerClient;

/** What every download of one client shares. */
public record ClientContext(
    EventLoopGroup group,
    Executor disk,
    Executor callbacks,
    TrackerClient trackers,
    PeerClient peers,
    int listenPort) {}

package org.functorrent.dht.internal;

import java.net.InetSocketAddress;
import org.functorrent.dht.NodeId;

/** A node as KRPC names it: its id and its UDP address ("compact node info" carries both). */
public record NodeContact(NodeId id, InetSocketAddress address) {}

/**
 * The peer side of FuncTorrent: the BitTorrent peer wire protocol (BEP 3, the BEP 6 fast extension
 * and the BEP 10 extension protocol) on Netty pipelines, and the per-torrent swarm engine that
 * downloads and serves pieces.
 *
 * <p>One {@link org.functorrent.peer.PeerClient} per application owns a listen socket and runs on
 * an {@code EventLoopGroup} it is given; {@link org.functorrent.peer.PeerClient#addTorrent} starts
 * a {@link org.functorrent.peer.Swarm} for a torrent, whose bytes go through a {@link
 * org.functorrent.peer.PieceStore}. This module does not know the storage module: the api module
 * adapts storage to {@code PieceStore}.
 */
package org.functorrent.peer;

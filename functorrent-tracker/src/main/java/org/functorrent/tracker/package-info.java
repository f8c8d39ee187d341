/**
 * Trackers: HTTP(S) and UDP announce and scrape clients (BEP 3, 7, 15, 23, 48), the announce loop
 * of one torrent over multitracker tiers (BEP 12), and an embeddable in-memory tracker server.
 *
 * <p>Entry points: {@link TrackerClient} (one announce or scrape), {@link AnnounceSession} (the
 * announce loop of one torrent, with a {@link TrackerStatus} per tracker and {@link
 * TrackerListener} events) and {@link TrackerServer}. Everything runs on a Netty {@code
 * EventLoopGroup} that the caller owns; nothing here blocks an event loop.
 */
package org.functorrent.tracker;

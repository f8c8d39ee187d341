package org.functorrent.tracker;

/**
 * One torrent's counts in a scrape (BEP 48).
 *
 * @param seeders peers that have the whole torrent ({@code complete})
 * @param completed how many times the tracker saw a {@code completed} event ({@code downloaded})
 * @param leechers peers still downloading ({@code incomplete})
 */
public record ScrapeStats(long seeders, long completed, long leechers) {}

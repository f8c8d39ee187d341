/**
 * The facade: {@code Torrent}, {@code TorrentClient}, {@code Download}, {@code TorrentListener}. Not yet implemented: see issue 6.
 */
package org.functorrent;

/**
 * The facade: {@link Torrent} opens a {@code .torrent}, {@link TorrentClient} runs torrents,
 * {@link Download} is the handle of a running one and {@link TorrentListener} hears what happens.
 *
 * <pre>{@code
 * Download d = Torrent.open(inputStream).start(listener);
 * d.completion().join();
 * }</pre>
 */
package org.functorrent;

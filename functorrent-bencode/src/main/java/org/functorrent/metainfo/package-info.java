/**
 * {@code .torrent} metainfo (BEP 3, 12, 19, 27, 47 and the v1 part of BEP 52 hybrids), info-hashes,
 * peer ids and magnet URIs (BEP 9).
 *
 * <p>Everything a torrent file says is validated when it is parsed: a {@link MetaInfo} that exists
 * describes files that stay inside the download directory. Invalid input fails with an {@link
 * InvalidTorrentException} that names the key path, or a {@link
 * org.functorrent.bencode.BencodeException} for malformed bencode.
 */
package org.functorrent.metainfo;

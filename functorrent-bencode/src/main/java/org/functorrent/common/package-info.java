/** Types shared by every FuncTorrent module: the root {@link TorrentException}. */
package org.functorrent.common;

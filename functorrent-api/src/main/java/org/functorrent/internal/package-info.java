/** How the facade wires tracker, storage and peers into a running torrent. May change. */
package org.functorrent.internal;

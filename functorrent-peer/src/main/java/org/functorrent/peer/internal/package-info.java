/**
 * The implementation of the peer wire protocol and the swarm engine: codecs, the connection
 * handler, the piece picker and the choker. Internal: these types may change in any release.
 */
package org.functorrent.peer.internal;

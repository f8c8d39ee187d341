/**
 * The implementation of the DHT node: the KRPC codec, the routing table, tokens, the peer store,
 * iterative lookups and the Netty handler that ties them together. Not API: everything here may
 * change without notice.
 */
package org.functorrent.dht.internal;

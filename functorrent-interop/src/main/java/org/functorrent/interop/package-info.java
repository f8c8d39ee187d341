/**
 * A harness that runs real BitTorrent clients and trackers on loopback for tests and benchmarks.
 * Every client it starts listens on 127.0.0.1 only, with DHT, local service discovery, UPnP and
 * NAT-PMP off. Not part of the library; may change at any time.
 */
package org.functorrent.interop;

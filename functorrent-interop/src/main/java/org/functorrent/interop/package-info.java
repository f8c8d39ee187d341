/**
 * A harness that runs real BitTorrent clients and trackers on loopback for tests and benchmarks:
 * opentracker, libtorrent (python3-libtorrent), aria2, Transmission 3.00 (transmission-cli) and
 * qBittorrent 4.5 (qbittorrent-nox), each from Debian's packages and started fresh per use. Every
 * client it starts listens on 127.0.0.1 only, with DHT, local service discovery, UPnP and NAT-PMP
 * off (DHT tests turn libtorrent's DHT on, bootstrapped from loopback nodes only: {@link
 * Libtorrent#magnet}, the {@code seed} overload with DHT nodes); every one is {@link
 * java.lang.AutoCloseable} and stopped by its {@code close()}. Not part of the library; may change
 * at any time.
 */
package org.functorrent.interop;

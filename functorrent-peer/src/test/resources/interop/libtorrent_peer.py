#!/usr/bin/python3
"""FuncTorrent interop helper: one libtorrent peer for one torrent, on loopback only.

usage: libtorrent_peer.py seed TORRENT DATA_DIR PORT
       libtorrent_peer.py leech TORRENT OUT_DIR PORT SEEDER_PORT

seed:  prints "SEEDING <port>" once the data is checked and the torrent seeds, then serves
       until its standard input closes (the test closes it, or dies).
leech: connects to 127.0.0.1:SEEDER_PORT, downloads, prints "DONE <seconds>" and exits.
Nothing leaves 127.0.0.0/8: DHT, local service discovery, UPnP and NAT-PMP are off, the session
listens and dials from 127.0.0.1 only, and an IP filter refuses every other address.
"""
import sys
import threading
import time

import libtorrent as lt


def loopback_only_session(port):
    session = lt.session({
        'listen_interfaces': '127.0.0.1:%d' % port,
        'outgoing_interfaces': '127.0.0.1',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'enable_ip_notifier': False,
        'dht_bootstrap_nodes': '',
        'allow_multiple_connections_per_ip': True,
        'enable_incoming_utp': False,
        'enable_outgoing_utp': False,
        'in_enc_policy': int(lt.enc_policy.disabled),
        'out_enc_policy': int(lt.enc_policy.disabled),
        'alert_mask': int(lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification),
    })
    ip_filter = lt.ip_filter()
    ip_filter.add_rule('0.0.0.0', '255.255.255.255', 1)
    ip_filter.add_rule('127.0.0.0', '127.255.255.255', 0)
    ip_filter.add_rule('::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 1)
    session.set_ip_filter(ip_filter)
    return session


def add(session, torrent, directory):
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = directory
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    params.flags |= lt.torrent_flags.disable_dht | lt.torrent_flags.disable_lsd \
        | lt.torrent_flags.disable_pex
    return session.add_torrent(params)


def leech(torrent, out_dir, port, seeder_port):
    session = loopback_only_session(port)
    handle = add(session, torrent, out_dir)
    start = time.time()
    handle.connect_peer(('127.0.0.1', seeder_port))
    while not handle.status().is_seeding:
        if time.time() - start > 120:
            print('ERROR timeout', flush=True)
            sys.exit(1)
        time.sleep(0.01)
    print('DONE %.3f' % (time.time() - start), flush=True)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == 'leech':
        leech(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    if len(sys.argv) != 5 or sys.argv[1] != 'seed':
        sys.exit(__doc__)
    torrent, data_dir, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
    session = loopback_only_session(port)
    handle = add(session, torrent, data_dir)

    stdin_closed = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        stdin_closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    deadline = time.time() + 60
    while not handle.status().is_seeding:
        for alert in session.pop_alerts():
            if alert.category() & lt.alert.category_t.error_notification:
                print('ERROR %s' % alert.message(), flush=True)
        if time.time() > deadline or stdin_closed.is_set():
            print('ERROR not seeding: %s' % handle.status().state, flush=True)
            sys.exit(1)
        time.sleep(0.1)
    print('SEEDING %d' % session.listen_port(), flush=True)
    while not stdin_closed.wait(1.0):
        status = handle.status()
        print('STATUS peers=%d uploaded=%d' % (status.num_peers, status.total_payload_upload),
              flush=True)


if __name__ == '__main__':
    main()

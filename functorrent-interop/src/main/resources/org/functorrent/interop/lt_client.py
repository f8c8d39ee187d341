#!/usr/bin/python3
"""A libtorrent peer for FuncTorrent's interop tests (Debian's python3-libtorrent).

usage: lt_client.py seed  TORRENT SAVE_DIR PORT [--peer HOST:PORT]... [--status FILE]
                         [--dht 127.x.x.x:PORT]...
       lt_client.py seed-unchecked TORRENT SAVE_DIR PORT [--peer HOST:PORT]... [--status FILE]
       lt_client.py leech TORRENT SAVE_DIR PORT [--peer HOST:PORT]... [--status FILE] [--timeout S]
                         [--dht 127.x.x.x:PORT]...
       (seed and leech also take --pex, --log-peers, --download-limit BYTES_PER_S,
        --upload-limit BYTES_PER_S; leech takes a magnet link instead of TORRENT)
       lt_client.py magnet INFOHASH SAVE_DIR PORT [--peer HOST:PORT]... [--status FILE]
                         [--timeout S] [--dht 127.x.x.x:PORT]...
       lt_client.py hash TORRENT
       lt_client.py create PATH OUT [PIECE_BYTES] [v1|hybrid]
       lt_client.py verify TORRENT SAVE_DIR

seed:   checks SAVE_DIR against TORRENT and seeds until SIGTERM; writes SEEDING to the status
        file once it has all pieces (and its first announce, if any, has been answered or failed).
seed-unchecked: seeds SAVE_DIR as it is, never hashing it (seed mode with every piece marked
        verified): a seeder that serves corrupt data if the files are corrupt.
leech:  downloads into SAVE_DIR, writes DONE <seconds> <bytes> to the status file and exits 0
        when every piece is verified; exits 1 after --timeout seconds (default 300).
--pex:  loads libtorrent's ut_pex and lets the torrent use peer exchange (loopback peers only).
--log-peers: prints "peer HOST:PORT" once for every peer the torrent is connected to.
--download-limit, --upload-limit: cap the torrent's rates (bytes per second).
A magnet link (magnet:?xt=...) is fetched with ut_metadata (BEP 9) from its tr / x.pe peers.
hash:   prints <v1 info-hash> <number of files> <total size> as libtorrent reads TORRENT.
create: makes a torrent of PATH with libtorrent's creator; prints its v1 info-hash.
verify: checks SAVE_DIR against TORRENT; prints <pieces verified> <pieces>; exit 0 if all.
magnet: adds magnet:?xt=urn:btih:INFOHASH (no tracker) and runs until SIGTERM or --timeout;
        writes PEERS <n> to the status file whenever its number of connected peers changes
        (metadata exchange needs a peer that serves it; this mode is for finding peers).

Every session listens on 127.0.0.1 only, with DHT, local service discovery, UPnP, NAT-PMP and
peer exchange (unless --pex) off, and an IP filter that blocks every address outside loopback for peers and
trackers alike: nothing this script does leaves 127.0.0.0/8.

--dht NODE turns libtorrent's DHT on for that session and its torrents, bootstrapped from the
given nodes only (they must be 127.x.x.x:PORT; the default public bootstrap node is replaced
before the session starts), with the settings that let a DHT of loopback nodes work: several
nodes per IP in the routing table and in searches, no BEP 42 node-id enforcement or preference,
no rate limit per source IP, no 8 kB/s cap on DHT replies.
DHT alerts are printed.
"""
import os
import signal
import sys
import time

import libtorrent as lt


def session(port, dht_nodes=(), pex=False):
    for node in dht_nodes:
        if not node.startswith('127.'):
            raise SystemExit('--dht %s: only 127.x.x.x nodes are allowed' % node)
    settings = {
        'listen_interfaces': '127.0.0.1:%d' % port,
        'outgoing_interfaces': '127.0.0.1',
        'enable_dht': False,
        # Never the default public bootstrap node, DHT on or off.
        'dht_bootstrap_nodes': ','.join(dht_nodes),
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'enable_ip_notifier': False,
        'enable_incoming_utp': False,
        'enable_outgoing_utp': False,
        # All test peers share 127.0.0.1; by default libtorrent keeps one connection per IP.
        'allow_multiple_connections_per_ip': True,
        # libtorrent 2.0 refuses loopback trackers without /announce paths otherwise.
        'ssrf_mitigation': False,
        'min_reconnect_time': 1,
        'apply_ip_filter_to_trackers': True,
        'announce_to_all_trackers': True,
        'announce_to_all_tiers': True,
        'in_enc_policy': int(lt.enc_policy.disabled),
        'out_enc_policy': int(lt.enc_policy.disabled),
        'alert_mask': int(lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification
                          | lt.alert.category_t.tracker_notification),
    }
    if dht_nodes:
        settings.update({
            'enable_dht': True,
            # Every node of a loopback DHT shares 127.0.0.1.
            'dht_restrict_routing_ips': False,
            'dht_restrict_search_ips': False,
            'dht_ignore_dark_internet': False,
            'dht_enforce_node_id': False,
            'dht_prefer_verified_node_ids': False,
            # libtorrent blocks an IP that sends more than 5 DHT messages a second; here every
            # node of the swarm is that IP.
            'dht_block_ratelimit': 1000000,
            # libtorrent answers at most 8000 bytes/s of DHT traffic by default and drops the rest
            # silently; a swarm of test nodes asks more than that in a burst.
            'dht_upload_rate_limit': 10000000,
            'alert_mask': settings['alert_mask'] | int(
                lt.alert.category_t.dht_notification
                | lt.alert.category_t.dht_operation_notification
                | lt.alert.category_t.connect_notification
                # LT_DHT_LOG=1 in the environment: libtorrent's DHT log too (for debugging).
                | (lt.alert.category_t.dht_log_notification
                   if os.environ.get('LT_DHT_LOG') else 0)),
        })
    s = lt.session(settings, 0)
    rules = lt.ip_filter()
    rules.add_rule('0.0.0.0', '255.255.255.255', 1)
    rules.add_rule('127.0.0.0', '127.255.255.255', 0)
    rules.add_rule('::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 1)
    rules.add_rule('::1', '::1', 0)
    s.set_ip_filter(rules)
    # The session has no default plugins: ut_metadata for magnet links, ut_pex only if asked.
    s.add_extension('ut_metadata')
    if pex:
        s.add_extension('ut_pex')
    return s


def write_status(path, text):
    if path:
        with open(path + '.tmp', 'w') as f:
            f.write(text + '\n')
        os.replace(path + '.tmp', path)


def options(args, extra=None):
    peers, status, timeout, dht = [], None, 300.0, []
    i = 0
    while i < len(args):
        if extra is not None and args[i] in ('--pex', '--log-peers'):
            extra[args[i]] = True
            i += 1
            continue
        if extra is not None and args[i] in ('--download-limit', '--upload-limit'):
            extra[args[i]] = int(args[i + 1])
        elif args[i] == '--peer':
            peers.append(args[i + 1])
        elif args[i] == '--dht':
            dht.append(args[i + 1])
        elif args[i] == '--status':
            status = args[i + 1]
        elif args[i] == '--timeout':
            timeout = float(args[i + 1])
        else:
            raise SystemExit('unknown option ' + args[i])
        i += 2
    return peers, status, timeout, dht


def add(s, torrent, save_dir, peers, dht=False, magnet=None, unchecked=False, pex=False):
    if magnet:
        params = lt.parse_magnet_uri('magnet:?xt=urn:btih:' + magnet)
    elif torrent.startswith('magnet:'):
        params = lt.parse_magnet_uri(torrent)
    else:
        params = lt.add_torrent_params()
        params.ti = lt.torrent_info(torrent)
    if unchecked:
        # seed mode alone hashes each piece the first time a peer asks for it; marking every
        # piece verified skips that too.
        params.flags |= lt.torrent_flags.seed_mode
        params.verified_pieces = [True] * params.ti.num_pieces()
    params.save_path = os.path.abspath(save_dir)
    params.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    params.flags |= lt.torrent_flags.disable_lsd
    if not pex:
        params.flags |= lt.torrent_flags.disable_pex
    if not dht:
        params.flags |= lt.torrent_flags.disable_dht
    os.makedirs(params.save_path, exist_ok=True)
    handle = s.add_torrent(params)
    for peer in peers:
        host, port = peer.rsplit(':', 1)
        handle.connect_peer((host, int(port)))
    return handle


DHT_ALERTS = ('dht_bootstrap_alert', 'dht_announce_alert', 'dht_get_peers_alert',
              'dht_reply_alert', 'dht_outgoing_get_peers_alert', 'dht_error_alert',
              'peer_connect_alert', 'incoming_connection_alert')


def run_peer(mode, torrent, save_dir, port, rest):
    extra = {}
    peers, status, timeout, dht = options(rest, extra)
    pex = extra.get('--pex', False)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    s = session(int(port), dht, pex)
    unchecked = mode == 'seed-unchecked'
    if unchecked:
        mode = 'seed'
    if mode == 'magnet':
        handle = add(s, None, save_dir, peers, bool(dht), magnet=torrent)
    else:
        handle = add(s, torrent, save_dir, peers, bool(dht), unchecked=unchecked, pex=pex)
    if '--download-limit' in extra:
        handle.set_download_limit(extra['--download-limit'])
    if '--upload-limit' in extra:
        handle.set_upload_limit(extra['--upload-limit'])
    seen_peers = set()
    started = time.time()
    announced = not handle.trackers()
    reported = None
    last_dht_announce = time.time()
    while not stopping:
        s.wait_for_alert(100)
        for alert in s.pop_alerts():
            kind = type(alert).__name__
            if kind in DHT_ALERTS or kind == 'dht_log_alert':
                print('%s: %s' % (kind, alert.message()), flush=True)
            if kind == 'dht_bootstrap_alert':
                # libtorrent spreads DHT announces over dht_announce_interval (15 min) and skips
                # a torrent added before the DHT was up: announce now that it is.
                handle.force_dht_announce()
                last_dht_announce = time.time()
            if kind in ('tracker_reply_alert', 'tracker_error_alert'):
                announced = True   # the tracker has heard of us, or cannot
            if kind in ('tracker_error_alert', 'torrent_error_alert', 'listen_failed_alert',
                        'file_error_alert', 'hash_failed_alert'):
                print('%s: %s' % (kind, alert.message()), flush=True)
            if kind == 'listen_failed_alert':
                write_status(status, 'ERROR ' + alert.message())
                return 1
        if extra.get('--log-peers'):
            for p in handle.get_peer_info():
                endpoint = '%s:%d' % (p.ip[0], p.ip[1])
                if endpoint not in seen_peers:
                    seen_peers.add(endpoint)
                    print('peer %s' % endpoint, flush=True)
        st = handle.status()
        if mode == 'magnet':
            if dht and st.num_peers == 0 and time.time() - last_dht_announce > 5:
                handle.force_dht_announce()   # look again until a peer turns up
                last_dht_announce = time.time()
            if reported != st.num_peers:
                reported = st.num_peers
                write_status(status, 'PEERS %d' % st.num_peers)
            if time.time() - started > timeout:
                write_status(status, 'TIMEOUT')
                return 1
        elif mode == 'seed':
            if st.is_seeding and announced and reported != 'SEEDING':
                reported = 'SEEDING'
                write_status(status, 'SEEDING')
                print('seeding', flush=True)
        else:
            if st.is_seeding:
                elapsed = time.time() - started
                size = handle.torrent_file().total_size()
                write_status(status, 'DONE %.3f %d' % (elapsed, size))
                print('done in %.3f s' % elapsed, flush=True)
                return 0
            if time.time() - started > timeout:
                write_status(status, 'TIMEOUT')
                print('timeout at %.1f%%' % (st.progress * 100), flush=True)
                return 1
    return 0


def hash_torrent(path):
    ti = lt.torrent_info(path)
    print(ti.info_hashes().v1, ti.num_files(), ti.total_size())


def create(path, out, piece_bytes=0, kind='hybrid'):
    fs = lt.file_storage()
    lt.add_files(fs, path)
    flags = lt.create_torrent.v1_only if kind == 'v1' else 0
    ct = lt.create_torrent(fs, int(piece_bytes), flags=flags)
    ct.add_tracker('http://127.0.0.1:9/announce')
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
    with open(out, 'wb') as f:
        f.write(lt.bencode(ct.generate()))
    print(lt.torrent_info(out).info_hashes().v1)


def verify(torrent, save_dir):
    s = session(0)
    handle = add(s, torrent, save_dir, [])
    handle.replace_trackers([])
    deadline = time.time() + 120
    while time.time() < deadline:
        st = handle.status()
        if st.state not in (lt.torrent_status.checking_files,
                            lt.torrent_status.checking_resume_data):
            break
        time.sleep(0.05)
    st = handle.status()
    have = sum(1 for bit in st.pieces if bit)
    total = handle.torrent_file().num_pieces()
    print(have, total)
    return 0 if have == total else 1


def main(argv):
    if len(argv) >= 4 and argv[0] in ('seed', 'seed-unchecked', 'leech', 'magnet'):
        return run_peer(argv[0], argv[1], argv[2], argv[3], argv[4:])
    if len(argv) == 2 and argv[0] == 'hash':
        return hash_torrent(argv[1])
    if 3 <= len(argv) <= 5 and argv[0] == 'create':
        return create(*argv[1:])
    if len(argv) == 3 and argv[0] == 'verify':
        return verify(argv[1], argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]) or 0)

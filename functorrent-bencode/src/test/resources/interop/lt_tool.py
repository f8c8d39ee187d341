#!/usr/bin/python3
"""What libtorrent (Debian's python3-libtorrent) makes of a torrent, for the interop tests.

usage: lt_tool.py hash TORRENT
         prints: <v1 info-hash hex> <number of files> <total size>
       lt_tool.py create PATH OUT [PIECE_BYTES] [v1|hybrid]
         makes a torrent of PATH with libtorrent's own creator; prints its v1 info-hash
       lt_tool.py verify TORRENT SAVE_DIR
         lets a libtorrent session check SAVE_DIR against TORRENT's piece hashes;
         prints: <pieces verified> <pieces in torrent>; exit status 0 when all verified

The session listens on 127.0.0.1 only, with DHT, LSD, UPnP and NAT-PMP off and an IP filter
that blocks every address outside 127.0.0.0/8, so nothing leaves loopback.
"""
import os
import sys
import time

import libtorrent as lt


def hash_cmd(path):
    ti = lt.torrent_info(path)
    print(ti.info_hashes().v1, ti.num_files(), ti.total_size())


def create_cmd(path, out, piece_bytes=0, kind='hybrid'):
    fs = lt.file_storage()
    lt.add_files(fs, path)
    flags = lt.create_torrent.v1_only if kind == 'v1' else 0
    ct = lt.create_torrent(fs, int(piece_bytes), flags=flags)
    ct.add_tracker('http://127.0.0.1:9/announce')
    lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
    data = lt.bencode(ct.generate())
    with open(out, 'wb') as f:
        f.write(data)
    print(lt.torrent_info(out).info_hashes().v1)


def verify_cmd(torrent, save_dir):
    settings = {
        'listen_interfaces': '127.0.0.1:0',
        'outgoing_interfaces': '127.0.0.1',
        'enable_dht': False,
        'enable_lsd': False,
        'enable_upnp': False,
        'enable_natpmp': False,
        'enable_ip_notifier': False,
        'apply_ip_filter_to_trackers': True,
    }
    session = lt.session(settings)
    ip_filter = lt.ip_filter()
    ip_filter.add_rule('0.0.0.0', '255.255.255.255', 1)
    ip_filter.add_rule('127.0.0.0', '127.255.255.255', 0)
    session.set_ip_filter(ip_filter)
    params = lt.add_torrent_params()
    params.ti = lt.torrent_info(torrent)
    params.save_path = save_dir
    params.trackers = []
    handle = session.add_torrent(params)
    handle.replace_trackers([])
    deadline = time.time() + 120
    while time.time() < deadline:
        status = handle.status()
        if status.state not in (lt.torrent_status.checking_files,
                                lt.torrent_status.checking_resume_data) and status.has_metadata:
            if status.state in (lt.torrent_status.downloading, lt.torrent_status.finished,
                                lt.torrent_status.seeding):
                break
        time.sleep(0.05)
    status = handle.status()
    have = sum(1 for bit in status.pieces if bit)
    print(have, params.ti.num_pieces())
    sys.exit(0 if have == params.ti.num_pieces() else 1)


def main(argv):
    if len(argv) >= 2 and argv[0] == 'hash':
        hash_cmd(argv[1])
    elif len(argv) >= 3 and argv[0] == 'create':
        create_cmd(*argv[1:5])
    elif len(argv) == 3 and argv[0] == 'verify':
        verify_cmd(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == '__main__':
    main(sys.argv[1:])

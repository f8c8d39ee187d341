#!/usr/bin/env bash
# Start-up JIT picture of one cold `functorrent download`: which classes the JVM spins at run time
# (LambdaForms, lambda proxies, java.lang.reflect.Proxy) that no class-data archive held, and what
# the C2 compiler spends its time on (total task time, the JDK's ASM among it, and when chosen hot
# methods get their C2 code).
#
# usage: scripts/jit-log.sh JAR TORRENT OUTDIR [JVM options...]
#   JAR      the shaded CLI jar (examples/target/functorrent.jar or a copy of it)
#   TORRENT  a .torrent whose seeders are on loopback (e.g. from a local libtorrent seeder)
#   OUTDIR   gets comp.xml (-XX:+LogCompilation), classload.log (-Xlog:class+load) and the
#            downloaded data (deleted afterwards)
# When JAR.jsa exists (make it with FUNCTORRENT_JSA=make, which trains it on `demo` like the
# launcher ./functorrent does) the run uses it, as the launcher would.
# HOT_METHODS (space-separated "Class method" pairs, class names with dots) overrides the methods
# whose first C2 code time is printed.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
jar=$1; torrent=$2; out=$3; shift 3
mkdir -p "$out"
out="$(cd "$out" && pwd)"
jsa="$jar.jsa"
if [ "${FUNCTORRENT_JSA:-}" = make ]; then
  rm -f "$jsa"; scratch="$(mktemp -d)"
  java -XX:ArchiveClassesAtExit="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$jar" demo --size 16 --dir "$scratch/demo" >/dev/null 2>&1
  rm -rf "$scratch"
fi
cds=()
[ -f "$jsa" ] && cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
rm -rf "$out/data" "$out/comp.xml" "$out/classload.log"
/usr/bin/time -o "$out/time.txt" -f "%e %U %S" \
  java ${cds[@]+"${cds[@]}"} -XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation \
  -XX:LogFile="$out/comp.xml" -Xlog:class+load:file="$out/classload.log" "$@" \
  -jar "$jar" download "$torrent" --dir "$out/data" --bind 127.0.0.1 --port 0 > "$out/cli.log" 2>&1 &
timer=$!
# CPU time of the compiler threads (wall-clock task times grow with the machine's load, CPU time
# much less): sampled from /proc every 50 ms; the last sample before the JVM exits counts.
python3 - "$timer" > "$out/threads.txt" <<'SAMPLER'
import collections, os, sys, time
timer = sys.argv[1]; pid = None; last = {}
tick = os.sysconf('SC_CLK_TCK')
while os.path.exists('/proc/' + timer):
  if pid is None:
    try: pid = open('/proc/%s/task/%s/children' % (timer, timer)).read().split()[0]
    except (OSError, IndexError): time.sleep(0.01); continue
  try: tids = os.listdir('/proc/%s/task' % pid)
  except OSError: break
  for tid in tids:
    try:
      stat = open('/proc/%s/task/%s/stat' % (pid, tid)).read()
      name = stat[stat.index('(') + 1:stat.rindex(')')]
      f = stat[stat.rindex(')') + 2:].split()
      last[tid] = (name, (int(f[11]) + int(f[12])) / tick)
    except (OSError, ValueError): pass
  time.sleep(0.05)
groups = collections.Counter()
for name, cpu in last.values():
  groups['C2' if name.startswith('C2 ') else 'C1' if name.startswith('C1 ') else 'other'] += cpu
print('%.2f %.2f %.2f' % (groups['C2'], groups['C1'], groups['other']))
SAMPLER
wait "$timer"
rm -rf "$out/data"
HOT_METHODS="${HOT_METHODS:-org.functorrent.peer.internal.PeerConnection pieceReceived
org.functorrent.peer.internal.PeerConnection blockMessage
java.util.concurrent.CompletableFuture\$AsyncSupply run}" \
  python3 - "$out" <<'PY'
import collections, os, re, sys
out = sys.argv[1]
wall, user, sys_ = open(os.path.join(out, 'time.txt')).read().split()
print('run: wall %s s, cpu %.2f s' % (wall, float(user) + float(sys_)))
c2, c1, other = open(os.path.join(out, 'threads.txt')).read().split()
print('CPU s of the C2 threads %s, C1 threads %s, the other threads %s' % (c2, c1, other))

# Spun classes: hidden/generated classes that were defined at run time, not mapped from an archive.
kinds = collections.Counter(); archived = collections.Counter(); proxies = []
for line in open(os.path.join(out, 'classload.log')):
  m = re.search(r'\[class,load\s*\] (\S+) source: (.*)$', line)
  if m:
    name, source = m.groups()
    if 'LambdaForm$MH' in name: kind = 'LambdaForm$MH'
    elif 'LambdaForm$DMH' in name: kind = 'LambdaForm$DMH'
    elif 'LambdaForm$BMH' in name or 'BoundMethodHandle$Species' in name: kind = 'BMH species'
    elif '$$Lambda$' in name: kind = 'lambda proxy'
    elif re.search(r'\$Proxy\d+$', name): kind = '$Proxy'
    else: continue
    if 'shared objects file' in source: archived[kind] += 1
    else:
      kinds[kind] += 1
      if kind == '$Proxy': proxies.append(name)
    continue
print('spun at run time (not archived):', dict(kinds), ' total', sum(kinds.values()))
print('the same kinds mapped from an archive:', dict(archived))
if proxies: print('  proxies:', ' '.join(p.rsplit('.', 1)[-1] for p in proxies))

# Compilations: per compiler thread, task time = task_done stamp - task stamp.
xml = open(os.path.join(out, 'comp.xml'), encoding='utf-8', errors='replace').read()
c2_total = 0.0; c2_n = 0; c2_first = None; asm = []; hot_c2 = {}
for block in re.findall(r"<compilation_log thread='\d+'>(.*?)</compilation_log>", xml, re.S):
  tn = re.search(r"<start_compile_thread name='([^']*)'", block)
  if not tn or 'C2' not in tn.group(1): continue
  for task, done in re.findall(r"(<task [^>]*>).*?(<task_done [^>]*/>)", block, re.S):
    t0 = float(re.search(r"stamp='([\d.]+)'", task).group(1))
    t1 = float(re.search(r"stamp='([\d.]+)'", done).group(1))
    meth = re.search(r"method='([^']*)'", task).group(1)
    c2_total += t1 - t0; c2_n += 1
    if 'objectweb/asm' in meth.replace('.', '/') or 'objectweb.asm' in meth:
      asm.append((t1 - t0, t0, meth))
print('C2: %d tasks, %.2f s task time' % (c2_n, c2_total))
print('C2 on the JDK\'s ASM: %d tasks, %.2f s' % (len(asm), sum(a[0] for a in asm)))
for d, t0, m in sorted(asm, reverse=True)[:5]:
  print('  %.3f s at %.2f s  %s' % (d, t0, m.replace('&lt;', '<').replace('&gt;', '>')))
hot = [l.split() for l in os.environ['HOT_METHODS'].strip().split('\n') if l.strip()]
for cls, meth in hot:
  key = "method='%s %s " % (cls, meth)
  stamps = [float(s) for s in re.findall(
      r"<nmethod [^>]*level='4'[^>]*" + re.escape(key) + r"[^>]*stamp='([\d.]+)'", xml)]
  print('first C2 code of %s.%s: %s' % (cls.rsplit('.', 1)[-1], meth,
      ('%.2f s' % min(stamps)) if stamps else 'none'))
PY

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
# HOT_METHODS (lines of "Class method", class names with dots) overrides the methods whose first
# C2 code time is printed; EARLY (seconds, default 3) the span of "the first seconds" of C2 work.
#    scripts/jit-log.sh --report OUTDIR   prints the figures of an earlier run again.
set -euo pipefail
if [ "${1:-}" = --report ]; then out=$2; shift 2
else
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
fi
HOT_METHODS="${HOT_METHODS:-org.functorrent.peer.internal.PiecePicker pick
org.functorrent.storage.internal.FileStorage write
org.functorrent.storage.internal.AbstractStorage submitUnguarded
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

# Compilations: per compiler thread, task time = task_done stamp - task stamp (wall clock).
def category(m):
  if m.startswith('jdk.internal.org.objectweb.asm'): return "JDK's ASM"
  if re.match(r'(java\.lang\.(invoke|reflect)|jdk\.internal\.reflect|sun\.invoke)', m):
    return 'method handles, reflection'
  if m.startswith('jdk.jfr'): return 'JFR'
  if m.startswith('org.functorrent'): return 'FuncTorrent'
  if m.startswith('io.netty'): return 'Netty'
  return 'other (JDK, Guava, ...)'
xml = open(os.path.join(out, 'comp.xml'), encoding='utf-8', errors='replace').read()
tasks = []
for block in re.findall(r"<compilation_log thread='\d+'>(.*?)</compilation_log>", xml, re.S):
  tn = re.search(r"<start_compile_thread name='([^']*)'", block)
  if not tn or 'C2' not in tn.group(1): continue
  for task, done in re.findall(r"(<task [^>]*>).*?(<task_done [^>]*/>)", block, re.S):
    t0 = float(re.search(r"stamp='([\d.]+)'", task).group(1))
    t1 = float(re.search(r"stamp='([\d.]+)'", done).group(1))
    meth = re.search(r"method='([^']*)'", task).group(1).replace('&lt;', '<').replace('&gt;', '>')
    tasks.append((t0, t1 - t0, meth))
early = float(os.environ.get('EARLY', '3'))
print('C2: %d tasks, %.2f s task time; by what it compiled (all / in the first %g s):'
      % (len(tasks), sum(t[1] for t in tasks), early))
by = collections.defaultdict(lambda: [0, 0.0, 0.0])
for t0, d, m in tasks:
  c = by[category(m)]; c[0] += 1; c[1] += d; c[2] += max(0.0, min(t0 + d, early) - t0)
for k, (n, d, e) in sorted(by.items(), key=lambda kv: -kv[1][1]):
  print('  %-28s %4d tasks %6.2f s / %5.2f s' % (k, n, d, e))
asm = sorted((d, t0, m) for t0, d, m in tasks if category(m) == "JDK's ASM")
for d, t0, m in asm[::-1][:3]:
  print('  ASM: %.3f s at %.2f s  %s' % (d, t0, m))
hot = [l.split() for l in os.environ['HOT_METHODS'].strip().split('\n') if l.strip()]
for cls, meth in hot:
  key = "method='%s %s " % (cls, meth)
  stamps = [float(s) for s in re.findall(
      r"<nmethod [^>]*level='4'[^>]*" + re.escape(key) + r"[^>]*stamp='([\d.]+)'", xml)]
  print('first C2 code of %s.%s: %s' % (cls.rsplit('.', 1)[-1], meth,
      ('%.2f s' % min(stamps)) if stamps else 'none'))
ours = [float(s) for s in re.findall(
    r"<nmethod [^>]*level='4'[^>]*method='org\.functorrent[^>]*stamp='([\d.]+)'", xml)]
print('C2 code of FuncTorrent methods: %d, the first at %s' % (
    len(ours), ('%.2f s' % min(ours)) if ours else 'none'))
PY

#!/bin/sh
# check.sh PKTC PKTC_RUN WORK: a run's view of /tmp. The caller's files under /tmp are there
# (a directory's, read and written as anywhere; a top-level file, read), while the top-level
# files a run writes are its own: two runs writing the same name at once do not clash, and
# none of it is left in the caller's /tmp.
set -eu
pktc=$1 runner=$2 work=$3
shared=$(mktemp -d /tmp/pktc-tmp-view.XXXXXX)
top=$shared.top
trap 'rm -rf "$shared" "$top"' EXIT
echo hello > "$shared/input"
echo top > "$top"
name=$(basename "$shared")
cat > "$work/reader.pkt" <<SCRIPT
0 \`grep -q hello $shared/input && grep -q top $top && echo written > $shared/output && echo private > /tmp/$name.private\`
+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
SCRIPT
"$pktc" "$work/reader.pkt" -o "$work/reader"
"$work/reader" --ip_version=ipv4 > "$work/reader.out" || { cat "$work/reader.out"; exit 1; }
grep -q written "$shared/output" || { echo "the run's write into $shared is not there"; exit 1; }
[ ! -e "/tmp/$name.private" ] || { echo "a run's own top-level file was left in /tmp"; exit 1; }
for who in a b; do
  cat > "$work/clash_$who.pkt" <<SCRIPT
0 \`echo $who > /tmp/$name.clash\`
+0.3 \`test "\$(cat /tmp/$name.clash)" = $who\`
SCRIPT
done
"$runner" -q -j 2 --cache "$work/cache" "$work/clash_a.pkt" "$work/clash_b.pkt" -- --ip_version=ipv4 > "$work/clash.out" ||
  { cat "$work/clash.out"; exit 1; }
[ ! -e "/tmp/$name.clash" ] || { echo "a run's own top-level file was left in /tmp"; exit 1; }
echo "tmp view: ok"

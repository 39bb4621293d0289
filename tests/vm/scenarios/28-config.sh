#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 120
# Bad configuration never half-starts the daemon and never loosens a running
# one. 24 malformed files: `ttyidle run` refuses each with exactly one line
# naming file, line and column, and pins nothing. Then, with the daemon
# running: a bad file plus SIGHUP is refused in the log and the old idle limit
# still ends a session on time; a good file plus SIGHUP applies the new limit,
# also to a session already warned under the old one (the warning is
# withdrawn with a cancel record that says why, and given again later), and
# a reload that makes a warned session exempt withdraws its warning the same way.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

# NAME LINE:COL CONTENT (printf %b escapes; the whole rest of the line)
cases='
bad-action 2:10 [global]\naction = kill\n
bad-activity 2:18 [global]\nactivity = input+keyboard\n
control-char 2:16 [global]\nwarn-message = \033[31mred\n
crlf 1:9 [global]\r\nidle-timeout = 15min\r\n
duplicate-key 3:1 [global]\naction = hangup\naction = signal\n
duplicate-rule 4:7 [rule ops]\nuser = alice\n\n[rule ops]\nuser = bob\n
duration-fraction 2:16 [global]\nidle-timeout = 1.5h\n
duration-negative 2:16 [global]\nidle-timeout = -5min\n
duration-unit 2:16 [global]\nwarn-before = 5x\n
empty-value 2:7 [rule empty]\nuser =\n
glob-unterminated 2:10 [rule consoles]\ntty = tty[1-6\n
idle-zero 2:16 [global]\nidle-timeout = 0\n
inline-comment 2:23 [global]\nidle-timeout = 15min  # a quarter hour\n
key-before-section 1:1 idle-timeout = 15min\n[global]\n
match-key-in-global 2:1 [global]\nuser = root\n
missing-equals 2:14 [global]\nidle-timeout 15min\n
not-utf8 2:11 [rule r]\nuser = caf\351\n
nul-byte 2:21 [global]\nidle-timeout = 15min\000\n
placeholder 2:20 [global]\nwarn-message = Bye {usr}, in {left}\n
rule-without-match 4:1 [global]\nidle-timeout = 20min\n\n[rule everyone]\nidle-timeout = 10min\n
scope-in-rule 3:1 [rule r]\nuser = alice\nscope = all\n
section-trailing 1:9 [global] extra\n
unknown-key 2:1 [global]\nidle = 5min\n
warn-inherited 6:16 [global]\nwarn-before = 2min\n\n[rule quick]\nuser = alice\nidle-timeout = 90s\n
'
mkdir -p /tmp/bad
n=0
while read -r name pos content; do
	[ -n "$name" ] || continue
	f=/tmp/bad/$name.conf
	printf '%b' "$content" >"$f"
	chmod 0644 "$f"
	out=$(ttyidle run --config "$f" --config-dir '' 2>&1)
	rc=$?
	[ "$rc" != 0 ] || fail "$name: ttyidle run exited 0"
	assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "$name: lines of output ($out)"
	assert_match "^ttyidle: run: $f:$pos: [^ ]" "$out" "$name"
	[ ! -e /sys/fs/bpf/ttyidle ] || fail "$name: something was pinned: $(ls /sys/fs/bpf/ttyidle)"
	n=$((n + 1))
done <<EOF2
$cases
EOF2
log "$n malformed files refused, each in one line, nothing pinned"
assert_eq 24 "$n" "cases run"
# a drop-in is checked the same way
mkdir -p /tmp/dropins
printf '[global]\nidle = 5s\n' >/tmp/dropins/10-x.conf
out=$(ttyidle run --config '' --config-dir /tmp/dropins 2>&1) && fail "bad drop-in accepted"
assert_eq "ttyidle: run: /tmp/dropins/10-x.conf:2:1: unknown key \"idle\", did you mean \"idle-timeout\"?" "$out" "bad drop-in"
[ ! -e /sys/fs/bpf/ttyidle ] || fail "something was pinned after a bad drop-in"

log "reload: a bad file is refused and the old limit stays"
start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 3s
CONF
ssh_login a alice
wait_for 10 has_urec alice
deadline=$(($(in_ms "$(urec alice)") + 6000))
write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 1h
warn-before = 30x
CONF
kill -HUP "$TTYIDLE_PID"
wait_for 5 grep -q 'reload failed' "$TTYIDLE_LOG"
msg=$(grep 'reload failed' "$TTYIDLE_LOG")
log "$msg"
assert_eq "ttyidle: reload failed, keeping the policy in force: $TTYIDLE_CONF:3:17: unknown time unit \"x\", expected one of us, ms, s, min, h, d, w" "$msg" "reload error"
ended_within a "$deadline" 12
assert_match 'IDLE_SEC=6 CLOCK=input RULE=global ACTION=hangup OUTCOME="terminal hung up;' "$(audit_line terminate alice)" "terminate record"

log "reload: a good file applies the new limit, also to a session being warned"
# Windows of 5 s between warning and deadline: the harness (polling, TCG on
# a loaded CI machine) must get its SIGHUP in before the deadline.
write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 8s
warn-before = 5s
CONF
kill -HUP "$TTYIDLE_PID"
wait_for 5 grep -q '^ttyidle: configuration reloaded: ' "$TTYIDLE_LOG"
ssh_login b bob
wait_for 10 has_urec bob
in_b=$(in_ms "$(urec bob)")
wait_for 10 has_audit warn bob
write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 12s
warn-before = 2s
CONF
t_hup=$(uptime_ms)
kill -HUP "$TTYIDLE_PID"
[ "$t_hup" -lt $((in_b + 8000)) ] || fail "test too slow: the reload was sent after the old deadline"
wait_for 5 has_audit cancel bob
c=$(audit_line cancel bob)
log "$c"
assert_match 'IDLE_SEC=0 CLOCK=input RULE=global ACTION=hangup OUTCOME="configuration reloaded: not idle under the new rule"' "$c" "cancel record"
rb=$(urec bob)
assert_eq 12.000 "$(awk -v l="$(jfield left_sec "$rb")" -v i="$(jfield idle_in_sec "$rb")" 'BEGIN { printf "%.3f", l + i }')" "limit status sees"
sleep_until_ms $((in_b + 8000 + 1500))
no_audit terminate bob
assert_ok alive "$(jfield session "$rb")"
wait_for 5 audit_count_is 2 warn bob
ended_within b $((in_b + 12000)) 12
assert_match 'IDLE_SEC=12 CLOCK=input RULE=global ACTION=hangup' "$(audit_line terminate bob)" "terminate record"

log "reload: a session being warned becomes exempt"
write_conf "$TTYIDLE_CONF" <<'CONF'
[global]
idle-timeout = 8s
warn-before = 5s
CONF
kill -HUP "$TTYIDLE_PID"
wait_for 5 count_is 3 grep '^ttyidle: configuration reloaded: ' "$TTYIDLE_LOG"
audit_rotate
ssh_login c alice
wait_for 10 has_urec alice
in_c=$(in_ms "$(urec alice)")
wait_for 10 has_audit warn alice
printf '\n[rule spared]\nuser = alice\naction = exempt\n' >>"$TTYIDLE_CONF"
t_hup=$(uptime_ms)
kill -HUP "$TTYIDLE_PID"
[ "$t_hup" -lt $((in_c + 8000)) ] || fail "test too slow: the reload was sent after the deadline"
poll_for 5 audit_count_is 1 cancel alice || {
	tail -n 5 "$TTYIDLE_LOG"
	fail "no cancel record for alice"
}
c=$(audit_line cancel alice)
log "$c"
assert_match 'RULE=spared ACTION=exempt OUTCOME="configuration reloaded: exempt under the new rule"' "$c" "cancel record"
sleep_until_ms $((in_c + 8000 + 1500))
no_audit terminate alice
assert_eq exempt "$(jfield state "$(urec alice)")" "state"
check_alive c
stop_ttyidle
exit 0

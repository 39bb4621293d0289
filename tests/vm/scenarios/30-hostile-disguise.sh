#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# Hostile user, disguises (issue "No user can escape enforcement", point 8).
# alice controls her process names, fds and environment. Four idle ssh logins
# of hers each try one disguise right after logging in, then idle:
#   n  renames her login shell: printf tmux >/proc/$$/comm
#   s  execs a shell from an executable named tmux (`cp /bin/sh ~/tmux; exec
#      ~/tmux`; busybox picks the applet by argv[0], so here ~/tmux is a
#      script that sh runs: the session leader's comm is then "tmux" all the
#      same, and it reads and runs what she types)
#   t  re-execs her shell on fds opened through /dev/tty (whose fstat shows
#      5:0, not the pts device): exec sh -i <>/dev/tty >&0 2>&0
#   e  execs a shell whose SSH_CONNECTION/SSH_CLIENT name 10.1.2.3, a host an
#      exempt rule trusts
# t's shell also names itself with terminal escapes and a byte that is not
# UTF-8 (ESC ] 0 ; ... BEL, ESC [ 2 J, 0xff): `ttyidle status` must show no
# control byte of it, `status --json` must stay valid UTF-8 JSON, and no
# audit record may carry it raw.
# Each login must stay in scope under [global] in `ttyidle status` (never
# out-of-scope, never the exempt rule), be warned, and be ended on time: not
# before last input + idle-timeout, at most 2 s after. No audit record may
# say REMOTE=10.1.2.3. Processes of bob and root elsewhere get no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
signal-delays = 2s 2s

[rule trusted]
host = 10.1.2.3
action = exempt
CONF
bystander_start bob bob
bystander_start root root
cat >/home/alice/tmux <<'SH'
#!/bin/sh
echo "SHELL AS $(cat /proc/$$/comm)"
while IFS= read -r line; do eval "$line"; done
SH
chown alice:staff /home/alice/tmux
chmod 0755 /home/alice/tmux

ssh_logins n:alice s:alice t:alice e:alice
tty_n=$(remote_tty n) tty_s=$(remote_tty s) tty_t=$(remote_tty t) tty_e=$(remote_tty e)
log "terminals: n $tty_n, s $tty_s, t $tty_t, e $tty_e"

log "the disguises"
type_keys n 'printf tmux >/proc/$$/comm; echo CO""MM=$(cat /proc/$$/comm)=\n'
quiet pty_cmd n 'expect COMM=tmux='
type_keys s 'exec ~/tmux\n'
quiet pty_cmd s 'expect SHELL AS tmux'
type_keys t 'exec sh -i <>/dev/tty >&0 2>&0\n'
type_keys t 'echo FD""0=$(readlink /proc/$$/fd/0)=\n'
quiet pty_cmd t 'expect FD0=/dev/tty='
type_keys t "printf '\\\\033]0;x\\\\007\\\\033[2J\\\\377' >/proc/\$\$/comm; echo NA\"\"ME=\$(od -An -tx1 /proc/\$\$/comm | tr -d ' ')=\\n"
quiet pty_cmd t 'expect NAME=1b5d303b78071b5b324aff0a='
type_keys e "exec env SSH_CONNECTION='10.1.2.3 1 2 3' SSH_CLIENT='10.1.2.3 1 2' sh\\n"
type_keys e 'echo SS""H=$SSH_CONNECTION=\n'
quiet pty_cmd e 'expect SSH=10.1.2.3 1 2 3='
# no input after this: each deadline is its own last input + 6 s
for c in n s t e; do
	eval "tty=\$tty_$c"
	r=$(tty_rec "$tty")
	[ -n "$r" ] || fail "no record of $tty in status: $(status_objs)"
	log "$c: $r"
	eval "rec_$c=\$r deadline_$c=\$((\$(in_ms \"\$r\") + 6000))"
done

# in_status NAME TTY REC: the login is judged under [global] as an sshd login.
in_status() {
	log "$1 ($2): status says service $(jfield service "$3"), rule $(jfield rule "$3"), state $(jfield state "$3"), remote $(jfield remote "$3")"
	assert_eq sshd "$(jfield service "$3")" "$1: service of $2 in status"
	assert_eq global "$(jfield rule "$3")" "$1: rule of $2 in status (state $(jfield state "$3"))"
}

# ended NAME TTY DEADLINE: warned, then ended on time by a hangup.
ended() {
	ended_by "$1" "$3" "$2"
	w=$(tty_audit warn "$2")
	[ -n "$w" ] || fail "$1: no warn record for $2"
	t=$(tty_audit terminate "$2")
	log "$t"
	assert_match 'RULE=global ACTION=hangup OUTCOME="terminal hung up; ' "$t" "$1: terminate record of $2"
}

log "status: escapes and bytes that are not UTF-8 in t's name stay inert"
esc=$(printf '\033') bel=$(printf '\007') ff=$(printf '\377')
st=$(ttyidle status --config "$TTYIDLE_CONF" --config-dir '')
log "$(printf '%s\n' "$st" | grep "$tty_t")"
case $st in
*"$esc"* | *"$bel"* | *"$ff"*) fail "ttyidle status prints t's name raw: $(printf '%s\n' "$st" | od -c | head -n 20)" ;;
esac
js=$(ttyidle status --json --config "$TTYIDLE_CONF" --config-dir '')
printf '%s\n' "$js" | jsonq terminals >/dev/null || fail "status --json is not valid JSON (or not UTF-8)"
leader_t=$(printf '%s\n' "$js" | jsonq terminals "tty=$tty_t" | jsonq get leader_cmd | od -An -tx1 | tr -d ' \n')
log "t: leader_cmd as JSON gives it: $leader_t"
# the escapes come back as the same characters, 0xff as U+FFFD (ef bf bd)
assert_eq 1b5d303b78071b5b324aefbfbd0a "$leader_t" "t: leader_cmd decoded from status --json"

log "status: every login in scope, under [global]"
soft "n-status" in_status n "$tty_n" "$rec_n"
soft "s-status" in_status s "$tty_s" "$rec_s"
soft "t-status" in_status t "$tty_t" "$rec_t"
soft "e-status" in_status e "$tty_e" "$rec_e"

log "every login warned and ended on time"
soft "n-ended" ended n "$tty_n" "$deadline_n"
soft "s-ended" ended s "$tty_s" "$deadline_s"
soft "t-ended" ended t "$tty_t" "$deadline_t"
soft "e-ended" ended e "$tty_e" "$deadline_e"

log "no audit record carries t's name raw"
raw=$(grep -n "$esc\|$bel\|$ff" "$TTYIDLE_LOG")
[ -z "$raw" ] || {
	printf '%s\n' "$raw" | od -c | head -n 20
	echo "FAIL: audit records carry a control byte or 0xff raw"
	SOFT_FAILED="$SOFT_FAILED t-audit-raw"
}

log "no record believes the spoofed host"
spoofed=$(grep 'REMOTE=10\.1\.2\.3' "$TTYIDLE_LOG")
[ -z "$spoofed" ] || {
	printf '%s\n' "$spoofed"
	echo "FAIL: audit records say REMOTE=10.1.2.3, which only alice's environment says"
	SOFT_FAILED="$SOFT_FAILED e-remote"
}

grep 'EVENT=' "$TTYIDLE_LOG" | sed 's/^.*EVENT=/EVENT=/' | while read -r l; do log "$l"; done
bystanders_check
soft_end
stop_ttyidle
exit 0

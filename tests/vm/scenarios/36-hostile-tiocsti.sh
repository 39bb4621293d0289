#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 60
# Hostile user, injected input (issue "No user can escape enforcement",
# point 8): under a rule whose clock is input-read, alice's login runs a
# loop that pushes a line into her own terminal's input with TIOCSTI every
# second and reads it back (`read`). The bytes are read like typed ones, but
# nobody typed them: she must be warned once and ended on time (not before
# her last keystroke + idle-timeout, at most 2 s after). On kernels built
# without LEGACY_TIOCSTI (Debian's 6.12 and later) the ioctl fails and the
# loop reads nothing; the login must end all the same. Processes of bob and
# root elsewhere get no signal.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s

[rule reads]
user = alice
activity = input-read
CONF
bystander_start bob bob
bystander_start root root
ssh_logins a:alice
tty_a=$(remote_tty a)
log "alice: a loop injects a line into her terminal and reads it, every second"
type_keys a "while :; do ptyctl sti 'x\\\\n' >/tmp/sti.out; read l; sleep 1; done\\n"
# her last keystroke was the Enter above: the deadline counts from its read
poll_for 10 test -s /tmp/sti.out || fail "the loop did not run: no /tmp/sti.out"
log "TIOCSTI here: $(cat /tmp/sti.out)"
r=$(tty_rec "$tty_a")
need_rec "$tty_a" "$r"
log "alice: $r"
# input-read: the shell's read of the typed line (typed bytes, after in_ns)
deadline=$(($(last_ms "$r" in_read_ns) + 6000))
[ "$(last_ms "$r" in_read_ns)" -ge "$(last_ms "$r" in_ns)" ] ||
	fail "the typed line was not booked as read: $r"
sleep 1
r2=$(tty_rec "$tty_a")
log "alice, a second later: $r2"
case $(cat /tmp/sti.out) in
*"err=0"*)
	assert_eq "$(jfield in_read_ns "$r")" "$(jfield in_read_ns "$r2")" \
		"in_read_ns after an injected line was read"
	;;
esac
soft a-ended ended_by a "$deadline" "$tty_a"
assert_eq 1 "$(tty_audit_count warn "$tty_a")" "warn records of $tty_a"
assert_eq 0 "$(tty_audit_count cancel "$tty_a")" "cancel records of $tty_a"
bystanders_check
soft_end
stop_ttyidle
exit 0

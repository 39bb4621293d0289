#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# timeout: 90
# One ssh connection (ControlMaster) carries two interactive sessions, each on
# its own terminal, both written by the same sshd process. Enforcement is per
# terminal, not per connection: the idle session is hung up at its deadline,
# the one being typed in stays, and so does the shared connection.
. /scenarios/lib.sh
. /scenarios/ttyidle.inc

start_enforcing <<'CONF'
[global]
idle-timeout = 6s
warn-before = 2s
CONF
assert_ok ssh -M -S /tmp/cm -o ControlPersist=yes -fN alice@127.0.0.1
check=$(ssh -S /tmp/cm -O check alice@127.0.0.1 2>&1)
log "$check"
master=$(echo "$check" | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
[ -n "$master" ] || fail "no ControlMaster: $check"
ssh_spawn idle '-S /tmp/cm -tt alice@127.0.0.1'
ssh_spawn busy '-S /tmp/cm -tt alice@127.0.0.1'
ti=$(remote_tty idle) tb=$(remote_tty busy)
log "idle session on $ti, busy session on $tb"
# both just got input: only what follows counts
audit_rotate
assert_ne "$ti" "$tb" "terminals of the two sessions"
wait_for 5 has_trec "$ti"
wait_for 5 has_trec "$tb"
ri=$(trec "$ti") rb=$(trec "$tb")
log "$ri"
log "$rb"
assert_eq "$(jfield writer_pid "$ri")" "$(jfield writer_pid "$rb")" "sshd process writing both terminals"
li=$(jfield session "$ri") lb=$(jfield session "$rb")
deadline=$(($(in_ms "$ri") + 6000))

log "type in one, leave the other idle"
typer_start busy 1.5
wait_for 10 has_audit warn alice
ended_within idle "$deadline" 12
typer_stop
t=$(audit_line terminate alice)
log "$t"
assert_match "TTY=$ti SESSION=$li .*ACTION=hangup OUTCOME=\"terminal hung up;" "$t" "terminate record"

log "2 s later: the busy session and the connection are still there"
sleep 2
assert_eq 1 "$(audit_count terminate alice)" "terminate records"
assert_eq 1 "$(audit_count warn alice)" "warn records"
[ -n "$tb" ] || fail "the busy session's terminal is unknown"
assert_eq 0 "$(grep -c "TTY=$tb " "$TTYIDLE_LOG")" "records about the busy terminal"
assert_ok alive "$lb"
check_alive busy
assert_ok alive "$master"
assert_ok ssh -S /tmp/cm -O check alice@127.0.0.1
stop_ttyidle
exit 0

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 180
# once-per-run
# ttyidle beside logind's own idle and cleanup settings (logind.conf(5)):
# a) KillUserProcesses=yes: when ttyidle ends an idle ssh login, logind
#    stops the session's scope, so the tmux server started in it dies with
#    it; "tmux survives" (20-ssh-idle) holds under Debian's default,
#    KillUserProcesses=no, or for tmux started outside the session scope
#    (systemd-run --user --scope, lingering users).
# b) StopIdleSessionSec= shorter than ttyidle's idle-timeout: logind stops
#    the idle ssh session itself (it judges idleness by the terminal's
#    atime, which the kernel moves at most every 8 s); ttyidle neither
#    warns nor ends it, writes no terminate record, and keeps running.
# logind is restarted with each setting and left at its default after.
. /sysvm/lib.sh

logind_conf() {
	mkdir -p /etc/systemd/logind.conf.d
	if [ -n "$1" ]; then
		printf '[Login]\n%s\n' "$1" >/etc/systemd/logind.conf.d/50-sysvm.conf
	else
		rm -f /etc/systemd/logind.conf.d/50-sysvm.conf
	fi
	systemctl restart systemd-logind.service
	wait_for 10 systemctl is-active -q systemd-logind.service
}
trap 'logind_conf ""' EXIT

wait_for 10 is_active
# ---- a) KillUserProcesses=yes, ttyidle ends the session (8 s, from 40-reload)
logind_conf KillUserProcesses=yes
ssh_login a alice
type_line a "tmux new-session -d -s keep 'sleep 100000'; echo TM""UX-OK"
pty_cmd a 'expect TMUX-OK' >/dev/null
runuser -u alice -- tmux has-session -t keep || fail "tmux session did not start"
t0=$(uptime_ms)
exit_at a 25
at=$AT
log "alice's login ended $((at - t0)) ms after the last input"
tmux_gone() { ! pgrep -u alice tmux; }
# logind stops the scope once the session's last process of the login is
# gone; under TCG that can take a while after sshd's exit
if poll_for 40 tmux_gone; then
	log "tmux server gone with the session (KillUserProcesses=yes) $(($(uptime_ms) - at)) ms after the client's exit"
else
	flaw "tmux server of alice survived a KillUserProcesses=yes session end: $(pgrep -u alice -a tmux); sessions: $(loginctl list-sessions --no-legend 2>&1 | tr '\n' ';')"
fi
has_journal MESSAGE_ID=$MID_TERMINATE USER=alice _SYSTEMD_UNIT=ttyidle.service ||
	flaw "no terminate record for alice"

# ---- b) logind's StopIdleSessionSec (6 s) before ttyidle's idle-timeout (60 s)
policy 10-sysvm.conf <<'CONF'
[global]
idle-timeout = 60s
warn-before = 5s
CONF
systemctl reload ttyidle.service || flaw "reload failed"
logind_conf StopIdleSessionSec=6
since=$(date '+%Y-%m-%d %H:%M:%S')
n_term=$(jcount MESSAGE_ID=$MID_TERMINATE USER=bob)
n_warn=$(jcount MESSAGE_ID=$MID_WARN USER=bob)
ssh_login b bob
t0=$(uptime_ms)
exit_at b 45
at=$AT
note "logind (StopIdleSessionSec=6) ended bob's idle login $((at - t0)) ms after the last input"
journalctl -q --no-pager -o cat -u systemd-logind.service --since "$since" | grep -i idle
journalctl -q --no-pager -o cat -u systemd-logind.service --since "$since" | grep -qi 'is idle, stopping' ||
	flaw "logind did not say it stopped an idle session"
[ $((at - t0)) -lt 55000 ] || flaw "ended after ttyidle's warning time: not logind's doing"
sleep 1
assert_eq "$n_term" "$(jcount MESSAGE_ID=$MID_TERMINATE USER=bob)" "terminate records for bob"
assert_eq "$n_warn" "$(jcount MESSAGE_ID=$MID_WARN USER=bob)" "warnings for bob"
log "ttyidle's records for bob since: $(journalctl -q --no-pager -o cat -u ttyidle.service --since "$since" | grep -c 'USER=bob')"
journalctl -q --no-pager -o cat -u ttyidle.service --since "$since" | grep 'USER=bob'
is_active || flaw "ttyidle not active"
policy 10-sysvm.conf <<'CONF'
[global]
idle-timeout = 8s
warn-before = 3s
CONF
systemctl reload ttyidle.service || flaw "reload failed"
finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# timeout: 30
# once-per-run
# `journalctl -x` explains ttyidle's records with the package's journal
# catalog (scripts/ttyidle.catalog, installed under
# /usr/lib/systemd/catalog/ and compiled by systemd's dpkg trigger).
. /sysvm/lib.sh

dpkg -L ttyidle | grep -q '^/usr/lib/systemd/catalog/' ||
	flaw "the package ships no journal catalog (/usr/lib/systemd/catalog/*.catalog)"
for id in $MID_WARN $MID_TERMINATE $MID_ENDED; do
	journalctl --list-catalog "$id" 2>/dev/null | grep -q "$id" ||
		flaw "journalctl --list-catalog has no entry $id"
done
x=$(journalctl -x -q --no-pager -n 1 MESSAGE_ID=$MID_TERMINATE USER=alice)
printf '%s\n' "$x"
[ -n "$x" ] || flaw "no terminate record of alice (from 20-ssh-idle)"
# systemd 252 prints the catalog text as lines starting with "░░ "
printf '%s\n' "$x" | grep -q '^░░ ' || flaw "journalctl -x shows no catalog text for the terminate record"
finish

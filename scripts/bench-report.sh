#!/usr/bin/env bash
# bench-report.sh CONSOLE DIR [NODEBUG_CONSOLE NESTED_CONSOLE [SMC_CONSOLE]]
# - turn the consoles of the bench boots into the report in DIR (the data
# path on the kernel without lock debugging, the nested data path and
# SMC-D when their consoles are given):
#   DIR/data/*.dat   the raw numbers, one measurement per line
#   DIR/bench.md     the tables: raw numbers, ratios and the targets
#   DIR/*.png        the latency histogram and the scaling curve (gnuplot)
#   DIR/figures.txt  the figures that other texts quote, "KEY VALUE" a
#                    line (scripts/cover-letter.sh fills them in)
# and put the tables into README.md between its bench markers.
#
# Fails with one line if the console lacks any part of the bench.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

README_BEGIN='<!-- bench:begin (scripts/bench-report.sh writes this part) -->'
README_END='<!-- bench:end -->'

# The lines of the console that the bench printed, without the "# "
# indentation of run-suite and the kselftest harness.
bench_lines() {
	sed -E 's/^(# )+//' "$1" | tr -d '\r'
}

# fields TAG KEYS < LINES - the values of KEYS, in that order, from each
# line "TAG key=value..." (a value may hold "=" itself); fails on a line
# that lacks one of them.
fields() {
	awk -v tag="$1" -v keys="$2" '
	BEGIN { nk = split(keys, k, " ") }
	$1 == tag {
		delete v
		for (i = 2; i <= NF; i++) {
			e = index($i, "=")
			if (e) v[substr($i, 1, e - 1)] = substr($i, e + 1)
		}
		line = ""
		for (i = 1; i <= nk; i++) {
			if (!(k[i] in v)) {
				printf "no %s= in: %s\n", k[i], $0 > "/dev/stderr"
				exit 1
			}
			line = line (i > 1 ? " " : "") v[k[i]]
		}
		print line
	}'
}

# parse CONSOLE DATADIR - the raw numbers, as data files.
parse() {
	local console=$1 data=$2

	mkdir -p "$data"
	bench_lines "$console" |
		fields bench-data "path len round reqs bytes us pcistb pcistg pcilg" \
		>"$data/datapath.dat" || die "malformed data path results in $console"
	# The single-function cycles come before the first "bench-parallel N",
	# and each cycle says how many functions it removed.
	bench_lines "$console" | awk -v lat="$data/latency.dat" \
		-v par="$data/parallel.dat" -v phase="$data/parallel-phases.dat" '
		/^bench-parallel / { n = $2; next }
		# Per function: the whole removal, and the VMM part of it.
		n && match($0, /(removal latency under I\/O load|VMM shutdown \(request to close\)) over [0-9]+ cycles: p50 [0-9.]+ ms/) {
			split(substr($0, RSTART, RLENGTH), w, " ")
			print n, (w[1] == "VMM" ? "shutdown" : "removal"), w[length(w) - 1] > phase
			next
		}
		match($0, /cycle [0-9]+: [0-9]+ function\(s\) removed in [0-9.]+ ms/) {
			split(substr($0, RSTART, RLENGTH), w, " ")
			if (w[3] != (n ? n : 1)) {
				printf "a cycle removed %d functions, not %d: %s\n",
				       w[3], n ? n : 1, $0 > "/dev/stderr"
				exit 1
			}
			if (n) print n, w[2] + 0, w[7] > par
			else print w[7] > lat
		}' || die "the bench did not remove the functions it was asked to ($console)"
	bench_lines "$console" | fields bench-idle "functions cycle ms busy_ms cpus" \
		>"$data/idle.dat" || die "malformed removal results without a user in $console"
	bench_lines "$console" | fields bench-cost "step reqs ns" | sed 's/^/lockdep /' \
		>"$data/cost.dat" || die "malformed request cost results in $console"
	[ -s "$data/datapath.dat" ] || die "no data path results in $console"
	[ -s "$data/latency.dat" ] || die "no removal latency results in $console"
	[ -s "$data/parallel.dat" ] || die "no parallel removal results in $console"
	[ -s "$data/parallel-phases.dat" ] || die "no per-function removal figures in $console"
	[ -s "$data/idle.dat" ] || die "no removal results without a user in $console"
	rm -f "$data/check-times.dat"
	if [ -s "$BUILD/state/check-times" ]; then
		cp "$BUILD/state/check-times" "$data/check-times.dat"
	fi
}

# parse_extra NODEBUG_CONSOLE NESTED_CONSOLE DATADIR - the raw numbers of
# the other two boots.
parse_extra() {
	local nodebug=$1 nested=$2 data=$3

	need_file "$nodebug" "console of the bench boot without lock debugging"
	need_file "$nested" "console of the nested bench boot"
	bench_lines "$nodebug" |
		fields bench-data "path len round reqs bytes us pcistb pcistg pcilg" \
		>"$data/datapath-nodebug.dat" || die "malformed data path results in $nodebug"
	bench_lines "$nodebug" | fields bench-cost "step reqs ns" | sed 's/^/nodebug /' \
		>>"$data/cost.dat" || die "malformed request cost results in $nodebug"
	bench_lines "$nested" |
		fields bench-nested "vmm op len count insn ns cc pcistb pcistg pcilg bytes" \
		>"$data/nested.dat" || die "malformed nested data path results in $nested"
	[ -s "$data/datapath-nodebug.dat" ] || die "no data path results in $nodebug"
	[ -s "$data/nested.dat" ] || die "no nested data path results in $nested"
	awk '$7 != 0 { print "a nested request ended with condition code " $7 ": " $0; bad = 1 }
	     END { exit bad }' "$data/nested.dat" >&2 ||
		die "the nested bench had failed instructions ($nested)"
}

# parse_smc SMC_CONSOLE DATADIR - the raw numbers of the SMC-D boot:
# smc-setup.dat (where family round conns first_us p50_us max_us),
# smc-xfer.dat (where family round bytes us), smc-device.dat (where phase
# pcistb moves move-bytes dropped) and smc-stock.dat (result msg). Fails
# unless the boot ended well and each place has every round of both
# families in both phases, one device count per phase, at least the
# SMC-D payload moved at the device and no move dropped.
parse_smc() {
	local smc=$1 data=$2 f

	need_file "$smc" "console of the SMC-D bench boot"
	bench_lines "$smc" | grep -qx 'bench-exit: 0' || die "the SMC-D bench boot failed ($smc)"
	bench_lines "$smc" | grep -E '^smc-bench .* phase=setup( |$)' |
		fields smc-bench "where family round conns first_us p50_us max_us" \
		>"$data/smc-setup.dat" || die "malformed SMC-D setup results in $smc"
	bench_lines "$smc" | grep -E '^smc-bench .* phase=xfer( |$)' |
		fields smc-bench "where family round bytes us" \
		>"$data/smc-xfer.dat" || die "malformed SMC-D throughput results in $smc"
	bench_lines "$smc" | fields smc-device "where phase pcistb moves move-bytes dropped" \
		>"$data/smc-device.dat" || die "malformed SMC-D device counts in $smc"
	# msg, the last key, runs to the end of the line
	bench_lines "$smc" | sed -n 's/^smc-stock result=\([a-z]*\) msg=/\1 /p' \
		>"$data/smc-stock.dat"
	for f in smc-setup smc-xfer smc-device smc-stock; do
		[ -s "$data/$f.dat" ] || die "no $f results in $smc"
	done
	awk '
	FILENAME == ARGV[1] { s[$1, $2, $3] = 1; places[$1] = 1; if ($3 > n[$1]) n[$1] = $3; next }
	FILENAME == ARGV[2] {
		x[$1, $2, $3] = 1; places[$1] = 1; if ($3 > n[$1]) n[$1] = $3
		if ($2 == "smc") pay[$1] += $4
		next
	}
	{ d[$1, $2]++; by[$1, $2] = $5; dr[$1] += $6 }
	END {
		for (p in places) {
			for (r = 1; r <= n[p]; r++) {
				split("smc tcp", fams, " ")
				for (f = 1; f <= 2; f++) {
					if (!((p, fams[f], r) in s)) { printf "%s: no setup round %d of %s\n", p, r, fams[f]; bad = 1 }
					if (!((p, fams[f], r) in x)) { printf "%s: no throughput round %d of %s\n", p, r, fams[f]; bad = 1 }
				}
			}
			if (d[p, "setup"] != 1 || d[p, "xfer"] != 1) { printf "%s: not one device count per phase\n", p; bad = 1 }
			if (by[p, "xfer"] < pay[p]) { printf "%s: the device moved %d bytes for an SMC-D payload of %d\n", p, by[p, "xfer"], pay[p]; bad = 1 }
			if (dr[p]) { printf "%s: %d moves dropped\n", p, dr[p]; bad = 1 }
		}
		exit bad
	}' "$data/smc-setup.dat" "$data/smc-xfer.dat" "$data/smc-device.dat" >&2 ||
		die "incomplete or inconsistent SMC-D results in $smc"
}

# Where a request's time goes: per step of the path, the time per request
# and what the step adds to the one before it, with and without lock
# debugging.
cost_table() {
	awk '
	{ t[$1, $2] = $4 / $3; if (!($2 in seen)) { seen[$2] = 1; steps[++n] = $2 } kernels[$1] = 1 }
	END {
		print "| step | what it adds | lockdep: µs per request | lockdep: added (µs) | no lock debugging: µs per request | no lock debugging: added (µs) |"
		print "|:---|:---|---:|---:|---:|---:|"
		what["header"] = "system call, vfio dispatch (a read of the header)"
		what["invalid"] = "copying the request in, the checks"
		what["disabled"] = "memory_lock, the device trylock, the memory enable check"
		what["store"] = "the function handle and one PCI Store (emulated by QEMU)"
		what["block16"] = "the bounce buffer and a PCI Store Block of 16 bytes instead"
		what["bar"] = "(for comparison: an 8-byte pwrite on the BAR region, one PCI Store)"
		for (i = 1; i <= n; i++) {
			s = steps[i]
			prev = (s == "bar" || i == 1) ? "" : steps[i - 1]
			printf "| %s | %s |", s, what[s]
			split("lockdep nodebug", ks, " ")
			for (k = 1; k <= 2; k++) {
				if (!((ks[k], s) in t)) { printf " | |"; continue }
				v = t[ks[k], s] / 1e3
				d = prev != "" ? sprintf("%.1f", v - t[ks[k], prev] / 1e3) : ""
				printf " %.1f | %s |", v, d
			}
			printf "\n"
		}
	}' "$1"
}

# The nested data path: per length and VMM, what the nested guest issued,
# the instructions per KiB at the device, and the time per request, with
# the stock VMM's time over the series'.
nested_table() {
	awk -v figs="$FIGURES" '
	$2 == "store" {
		key = $1 " " $3
		cnt[key] = $4; insn[key] = $5; us[key] = $4 ? $6 / 1e3 / $4 : 0
		kib[key] = $4 * $3 / 1024
		dev[key] = $8 + $9 + $10; stb[key] = $8
		if (!($3 in seen)) { seen[$3] = 1; lens[++nl] = $3 }
		if (!($1 in vseen)) { vseen[$1] = 1; vmms[++nv] = $1 }
	}
	END {
		print "| length (bytes) | VMM | nested guest issued | requests | device: instructions per KiB | device: PCISTB per KiB | µs per request | ms per KiB | time ratio (stock / series) |"
		print "|---:|:---|:---|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= nl; i++) {
			for (j = 1; j <= nv; j++) {
				key = vmms[j] " " lens[i]
				if (!(key in cnt)) continue
				ratio = ""
				p = "patched " lens[i]; st = "stock " lens[i]
				if (vmms[j] == "stock" && cnt[st] && cnt[p])
					ratio = sprintf("%.1f", (us[st] / lens[i]) / (us[p] / lens[i]))
				if (!cnt[key]) {
					printf "| %d | %s | none: its group allows no such store | 0 | | | | | |\n", lens[i], vmms[j]
					continue
				}
				printf "| %d | %s | %s | %d | %.3f | %.3f | %.1f | %.2f | %s |\n",
				       lens[i], vmms[j], insn[key], cnt[key], dev[key] / kib[key],
				       stb[key] / kib[key], us[key], us[key] * 1024 / lens[i] / 1e3, ratio
				printf "nested.%s.%d.pcistb_per_kib %.3f\nnested.%s.%d.insn_per_kib %.0f\n",
				       vmms[j], lens[i], stb[key] / kib[key], vmms[j], lens[i],
				       dev[key] / kib[key] >> figs
				if (ratio != "")
					printf "nested.%d.stock_ratio %s\n", lens[i], ratio >> figs
			}
		}
	}' "$1"
}

# SMC-D against TCP over lo: per place, the medians over the rounds (the
# ratios from the rounds' side-by-side pairs), the first SMC-D connection
# of all, what the device counted, then each round's raw numbers; and
# what Debian's QEMU did.
smc_table() {
	local data=$1

	awk -v figs="$FIGURES" '
	function med(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	FILENAME == ARGV[1] {
		p50[$1, $2, $3] = $6 / 1e3; first[$1, $2, $3] = $5 / 1e3
		if ($2 == "smc") conns[$1] += $4
		if (!($1 in seen)) { seen[$1] = 1; where[++nw] = $1 }
		if ($3 > rounds[$1]) rounds[$1] = $3
		next
	}
	FILENAME == ARGV[2] {
		mibs[$1, $2, $3] = $4 / $5 * 1e6 / 1048576
		if ($2 == "smc") kib[$1] += $4 / 1024
		next
	}
	FILENAME == ARGV[3] { stb[$1, $2] = $3; drop[$1] += $6; next }
	{ stock = $1 }
	END {
		print "| where | SMC-D MiB/s | TCP MiB/s | SMC-D / TCP | SMC-D setup p50 (ms) | TCP setup p50 (ms) | setup SMC-D / TCP | first SMC-D connection, with the link group (ms) | device: PCISTB per KiB sent | device: PCISTB per connection set up | moves dropped |"
		print "|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for (w = 1; w <= nw; w++) {
			p = where[w]; n = rounds[p]
			for (r = 1; r <= n; r++) {
				ms[r] = mibs[p, "smc", r]; mt[r] = mibs[p, "tcp", r]
				rx[r] = mt[r] ? ms[r] / mt[r] : 0
				ss[r] = p50[p, "smc", r]; st[r] = p50[p, "tcp", r]
				rs[r] = st[r] ? ss[r] / st[r] : 0
			}
			xs = med(ms, n); xt = med(mt, n); xr = med(rx, n)
			ps = med(ss, n); pt = med(st, n); pr = med(rs, n)
			# The first connection of the first round creates the link group
			pf = first[p, "smc", 1]
			perkib = kib[p] ? stb[p, "xfer"] / kib[p] : 0
			perconn = conns[p] ? stb[p, "setup"] / conns[p] : 0
			printf "| %s | %.2f | %.2f | %.3f | %.2f | %.2f | %.1f | %.2f | %.3f | %.1f | %d |\n",
			       p, xs, xt, xr, ps, pt, pr, pf, perkib, perconn, drop[p]
			printf "smc.%s.mib_s %.2f\nsmc.%s.tcp_ratio %.3f\nsmc.%s.setup_p50_ms %.2f\nsmc.%s.pcistb_per_kib %.3f\n",
			       p, xs, p, xr, p, ps, p, perkib >> figs
		}
		if (stock != "started")
			printf "| stock | %s: no SMC-D | | | | | | | | | |\n", stock
		print ""
		print "Each round, raw: throughput (MiB/s) and setup p50 (ms), SMC-D then TCP."
		print ""
		print "| where | round | SMC-D MiB/s | TCP MiB/s | SMC-D setup p50 (ms) | TCP setup p50 (ms) |"
		print "|:---|---:|---:|---:|---:|---:|"
		for (w = 1; w <= nw; w++)
			for (r = 1; r <= rounds[where[w]]; r++)
				printf "| %s | %d | %.2f | %.2f | %.2f | %.2f |\n", where[w], r,
				       mibs[where[w], "smc", r], mibs[where[w], "tcp", r],
				       p50[where[w], "smc", r], p50[where[w], "tcp", r]
	}' "$data/smc-setup.dat" "$data/smc-xfer.dat" "$data/smc-device.dat" "$data/smc-stock.dat"
	echo
	awk '{ msg = substr($0, length($1) + 2)
	       if ($1 == "refused")
		       printf "Debian'"'"'s own QEMU (`stock`), given the same two ISM functions to pass through, refuses them: \"%s\". SMC-D cannot run through it at all.\n", msg
	       else if ($1 == "unusable")
		       printf "Debian'"'"'s own QEMU (`stock`) started with the same two ISM functions, but its nested guest could not use them (\"%s\"): no SMC-D.\n", msg
	       else
		       printf "Debian'"'"'s own QEMU (`stock`) took the same two ISM functions; its row `stock` above is what SMC-D did there, measured as in the nested guest.\n"
	}' "$data/smc-stock.dat"
}

# PCI Load and Store of 8 bytes through the BAR region (patched-bar) and
# the zPCI I/O region (patched), per request.
loadstore_table() {
	awk '
	$3 == 8 && ($1 == "patched" || $1 == "patched-bar") { us[$1, $2] = $6 / 1e3 / $4; n[$1, $2] = $4; dev[$1, $2] = ($8 + $9 + $10) / $4 }
	END {
		print "| 8-byte operation | BAR region: µs per request | zPCI I/O region: µs per request | device instructions per request (BAR / region) | time ratio (region / BAR) |"
		print "|:---|---:|---:|---:|---:|"
		split("store load", ops, " ")
		for (i = 1; i <= 2; i++) {
			o = ops[i]
			if (!n["patched", o] || !n["patched-bar", o]) continue
			printf "| %s | %.1f | %.1f | %.2f / %.2f | %.2f |\n", o == "store" ? "PCI Store" : "PCI Load",
			       us["patched-bar", o], us["patched", o], dev["patched-bar", o], dev["patched", o],
			       us["patched", o] / us["patched-bar", o]
		}
	}' "$1"
}

# The data path: per length, exact instructions per KiB (all rounds) and
# the median time of the rounds, region against BAR, with the ratios.
# datapath_table DAT KEY - the table; its figures go to FIGURES as KEY.*
datapath_table() {
	sort -k2,2n -k1,1 -k6,6n "$1" | awk -v figs="$FIGURES" -v fk="$2" '
	function median(key,    n) { n = cnt[key]; return t[key, int((n + 1) / 2)] }
	{
		key = $1 " " $2
		cnt[key]++; t[key, cnt[key]] = $6 / 1e3
		kib[key] += $5 / 1024; stb[key] += $7; ins[key] += $7 + $8 + $9
		if (!($2 in seen)) { seen[$2] = 1; lens[++nl] = $2 }
		run_kib[$2] = $5 / 1024
	}
	END {
		printf "Median time of %d rounds; the instructions are counted by the device.\n\n", cnt["region " lens[1]]
		print "| length (bytes) | KiB per run | region: PCISTB per KiB | region: instructions per KiB | BAR pwrite: instructions per KiB | instruction ratio (BAR / region) | region: ms | BAR pwrite: ms | time ratio (BAR / region) |"
		print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= nl; i++) {
			r = "region " lens[i]; b = "bar " lens[i]
			printf "| %d | %d | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f | %.1f |\n",
			       lens[i], run_kib[lens[i]], stb[r] / kib[r], ins[r] / kib[r], ins[b] / kib[b],
			       (ins[b] / kib[b]) / (ins[r] / kib[r]),
			       median(r), median(b), median(b) / median(r)
			printf "%s.%d.region_pcistb_per_kib %.3f\n%s.%d.bar_insn_per_kib %.0f\n%s.%d.time_ratio %.1f\n",
			       fk, lens[i], stb[r] / kib[r], fk, lens[i], ins[b] / kib[b],
			       fk, lens[i], median(b) / median(r) >> figs
		}
		r = "region 4096"; b = "bar 4096"
		if (!cnt[r] || !cnt[b]) exit
		printf "\nTargets at 4096 bytes: at most 0.25 PCISTB per KiB: %.3f, %s; at least 100x fewer instructions: %.1fx, %s; at least 10x less time: %.1fx, %s.\n",
		       stb[r] / kib[r], (stb[r] / kib[r] <= 0.25 ? "met" : "**not met**"),
		       ins[b] / ins[r], (ins[b] / ins[r] >= 100 ? "met" : "**not met**"),
		       median(b) / median(r), (median(b) / median(r) >= 10 ? "met" : "**not met**")
	}'
}

# Nearest-rank percentiles of the single-function removal latency.
latency_table() {
	sort -n "$1" | awk -v figs="$FIGURES" '
	{ v[++n] = $1 }
	function pct(p,    k) { k = int((p * n + 99) / 100); return v[k < 1 ? 1 : k] }
	END {
		print "| cycles | p50 (ms) | p99 (ms) | max (ms) | target: p99 at most 1 s |"
		print "|---:|---:|---:|---:|:---|"
		printf "| %d | %.1f | %.1f | %.1f | %s |\n", n, pct(50), pct(99), v[n],
		       (pct(99) <= 1000 ? "met" : "**not met**")
		printf "latency.cycles %d\nlatency.p50 %.0f\nlatency.p99 %.0f\n", n, pct(50), pct(99) >> figs
	}'
}

# medians FILE COLUMN - per number of functions (column 1 of FILE): the
# median, min and max of COLUMN over its cycles, and the number of cycles.
medians() {
	sort -k1,1n -k"$2,$2"n "$1" | awk -v col="$2" '
	{ c[$1]++; t[$1, c[$1]] = $col; if (c[$1] == 1) ns[++k] = $1 }
	END {
		for (i = 1; i <= k; i++) {
			n = ns[i]
			print n, t[n, int((c[n] + 1) / 2)], t[n, 1], t[n, c[n]], c[n]
		}
	}'
}

# parallel_table STATS PHASES IDLE_STATS BUSY_STATS CPUS - the cycle times
# with busy VMMs, the per-function p50 of the whole removal and of the
# VMM's part of it, the cycle times without a user and the CPU time they
# kept the guest's CPUS busy; and what that CPU time means for the target.
parallel_table() {
	awk -v cpus="$5" -v figs="$FIGURES" '
	FILENAME == ARGV[1] { p[$1, $2] = $3; next }
	FILENAME == ARGV[2] { idle[$1] = $2; if (FNR == 1) ibase = $2; next }
	FILENAME == ARGV[3] { busy[$1] = $2; next }
	FNR == 1 {
		base = $2
		print "| functions | cycles | cycle median (ms) | min (ms) | max (ms) | ratio to 1 function | per function: removal p50 (ms) | per function: VMM shutdown p50 (ms) | without a user: cycle median (ms) | without a user: ratio to 1 | without a user: CPU busy median (ms) |"
		print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	}
	{
		printf "| %d | %d | %.1f | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.2f | %.1f |\n", $1, $5, $2, $3, $4,
		       $2 / base, p[$1, "removal"], p[$1, "shutdown"], idle[$1], idle[$1] / ibase, busy[$1]
		last = $1; r = $2 / base
	}
	END {
		if (last != 20)
			exit
		printf "\nTarget: 20 functions in at most 3x the time of 1: %.1fx, %s.\n", r, (r <= 3 ? "met" : "**not met**")
		printf "parallel.20.ratio %.0f\nparallel.20.idle_ratio %.0f\n", r, idle[20] / ibase >> figs
		# The removal work of one function alone, done 20 times over on
		# all CPUs at once, is what no locking change can go below; but
		# only where the idle time of the guest resolves one removal at all
		if (busy[1] <= 0) {
			printf "\nCPU floor: not resolved in this run: one removal without a user reads 0.0 ms of busy CPU time (the median over its cycles), below what the guest'"'"'s idle time resolves here. Removing 20 at once without a user kept the CPUs busy for %.1f ms, %.0f%% of their time over the cycle.\n",
			       busy[20], 100 * busy[20] / (cpus * idle[20])
			exit
		}
		work = 20 * busy[1]
		need = work / (3 * base)
		need = need == int(need) ? need : int(need) + 1
		printf "\nCPU floor: one removal without a user keeps the guest busy for %.1f ms of CPU time. Twenty are at least %.1f ms: spread perfectly over the guest'"'"'s %d CPUs, %.1f ms, %.1fx the time of one function with its VMM, so the target needs at least %d CPUs (%s here). Removing 20 at once without a user kept the CPUs busy for %.1f ms, %.0f%% of their time over the cycle.\n",
		       busy[1], work, cpus, work / cpus, work / cpus / base, need,
		       (need <= cpus ? "met" : "not met"), busy[20], 100 * busy[20] / (cpus * idle[20])
		printf "floor.one_ms %.0f\nfloor.cpus %d\nfloor.ratio %.1f\nfloor.base_ms %.0f\n",
		       busy[1], cpus, work / cpus / base, base >> figs
	}' "$2" "$3" "$4" "$1"
}

check_times_table() {
	echo "| make check | when (UTC) | commit | minutes |"
	echo "|:---|:---|:---|---:|"
	if [ ! -s "$1" ]; then
		echo "| not recorded | | | |"
		echo
		echo "Each green \`make check\` records its time in build/state/check-times; run one on a clean clone (cold), then again (warm)."
		return
	fi
	awk '{ last[$3] = $0 }
	END {
		for (k in last) {
			split(last[k], f, " ")
			printf "| %s | %s | %s | %.1f |\n", k, f[1], f[2], f[4] / 60
		}
	}' "$1" | sort
}

plots() {
	local data=$1 dir=$2

	need_cmd gnuplot
	gnuplot -e "data='$data'; outdir='$dir'" "$TOP/scripts/bench-plots.gp" ||
		die "gnuplot failed on $data"
}

# The commit the bench ran at: what bench.sh recorded beside the console
# when the run began (bench-commit), else the tree's now (commit_id).
run_commit() { # CONSOLE
	local f

	f=$(dirname "$1")/bench-commit
	if [ -s "$f" ]; then cat "$f"; else commit_id; fi
}

report() { # DATADIR DATE COMMIT
	local data=$1 when=$2 commit=$3

	printf 'bench.date %s\nbench.commit %s\n' "$when" "$commit" >"$FIGURES"
	echo "# Benchmark results"
	echo
	echo "Measured by \`make bench\` on $when at commit $commit, under QEMU TCG with 20 ISM-like functions."
	echo "Absolute times vary between runs on a shared host: compare the ratios, which come from one run."
	echo
	echo "## Data path: zPCI I/O region against vfio's BAR region"
	echo
	datapath_table "$data/datapath.dat" datapath
	echo
	if [ -s "$data/datapath-nodebug.dat" ]; then
		echo "## Data path without lock debugging"
		echo
		echo "The same on a kernel without \`PROVE_LOCKING\` and \`DEBUG_ATOMIC_SLEEP\` (the configuration users run), in a boot of its own."
		echo
		datapath_table "$data/datapath-nodebug.dat" nodebug
		echo
	fi
	if [ -s "$data/cost.dat" ]; then
		echo "## Where a request's time goes"
		echo
		echo "Requests that stop at successive points of the region's path (\`zpci_region_cost\`), one function."
		echo
		cost_table "$data/cost.dat"
		echo
	fi
	if [ -s "$data/nested.dat" ]; then
		echo "## Nested data path: QEMU as the VMM"
		echo
		echo "A nested guest stores into ISM-like function 1 (strict function group, MSI-X) through QEMU running in the bench guest: the QEMU series (\`patched\`, one zPCI I/O region request per store block, load or store) and Debian's own QEMU of the same version (\`stock\`), which shows the guest its default function group, maxstbl 128, and replays each store block as 8-byte writes to vfio's BAR region. Instructions are counted by the device; times are the nested guest's, per request."
		echo
		nested_table "$data/nested.dat"
		echo
		echo "With stock QEMU, store blocks above 128 bytes cannot be issued at all (a specification exception in the guest), and the smaller ones arrive split into PCI Stores of 8 bytes. An ISM function as it is (relaxed alignment, MSI only) it refuses to pass through: "MSI-X support is mandatory"."
		echo
		echo "### PCI Load and Store of 8 bytes: BAR region or zPCI I/O region"
		echo
		echo "The series routes an ISM function's PCI Load and Store through the zPCI I/O region, as vfio's BAR regions use MIO instructions on a host with MIO, which ISM does not support; \`x-io-region-load-store=off\` routes them through the BAR region instead (\`patched-bar\`), which works on this host without MIO. Both issue one instruction of the same width."
		echo
		loadstore_table "$data/nested.dat"
		echo
	fi
	if [ -s "$data/smc-xfer.dat" ]; then
		echo "## SMC-D: ISM's real workload"
		echo
		echo "SMC-D (AF_SMC sockets) against plain TCP, both over lo in one Linux, measured side by side in each round, the order alternating (\`smc_test\` with \`SMC_TEST_BENCH\`, \`guest/bench/smc_bench.sh\`): in the bench guest on the ism-client kernel, with lock debugging (\`guest\`), and in a nested guest on ISM-like functions 1 and 2 passed through by the QEMU series (\`nested\`). Throughput: one connection sending SMC_BENCH_MIB MiB one way, byte-exact. Setup: connections opened one after the other, each from \`socket()\` to \`accept()\`; the first SMC-D one also creates the link group. The diag must show every AF_SMC end in SMC-D mode, or the bench fails. The device's counts are over the whole phase, setup and close included, TCP rounds included (they move nothing there)."
		echo
		smc_table "$data"
		echo
	fi
	echo "## Removal latency under I/O load"
	echo
	echo "From \`echo 0 > power\` to the slot reading 0, one function with its VMM busy ([histogram](latency.png))."
	echo
	latency_table "$data/latency.dat"
	echo
	echo "## Parallel removal"
	echo
	echo "Total time of one cycle, every function powered off at once, each with its VMM busy ([scaling curve](scaling.png))."
	echo
	medians "$data/parallel.dat" 3 >"$data/parallel-stats.dat"
	medians "$data/idle.dat" 3 >"$data/idle-stats.dat"
	medians "$data/idle.dat" 4 >"$data/busy-stats.dat"
	parallel_table "$data/parallel-stats.dat" "$data/parallel-phases.dat" \
		"$data/idle-stats.dat" "$data/busy-stats.dat" \
		"$(awk 'NR == 1 { print $5 }' "$data/idle.dat")"
	echo
	echo "The VMM shutdown is the user's part of a removal, from vfio's request to the close of the device; the rest is the kernel's. Without a user, no function is open: that is the kernel's removal alone (\`zpci_removal_bench\`)."
	echo
	echo "## Cost of the bench"
	echo
	check_times_table "$data/check-times.dat"
}

# readme_splice FILE - replace README.md's part between the markers
# (BENCH_README names another file, for the tests).
readme_splice() {
	local readme=${BENCH_README:-$TOP/README.md}

	if ! grep -qF "$README_BEGIN" "$readme" || ! grep -qF "$README_END" "$readme"; then
		die "README.md lacks the bench markers"
	fi
	awk -v b="$README_BEGIN" -v e="$README_END" -v f="$1" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$readme" >"$readme.tmp"
	mv "$readme.tmp" "$readme"
}

main() {
	local console=${1:-} dir=${2:-} part

	if [ -z "$console" ] || [ -z "$dir" ] || { [ $# != 2 ] && [ $# != 4 ] && [ $# != 5 ]; }; then
		die "usage: $PROG CONSOLE DIR [NODEBUG_CONSOLE NESTED_CONSOLE [SMC_CONSOLE]]"
	fi
	need_file "$console" "bench console log"
	mkdir -p "$dir"
	parse "$console" "$dir/data"
	rm -f "$dir/data/datapath-nodebug.dat" "$dir/data/nested.dat" "$dir"/data/smc-*.dat
	[ $# -ge 4 ] && parse_extra "$3" "$4" "$dir/data"
	[ $# = 5 ] && parse_smc "$5" "$dir/data"
	FIGURES=$dir/figures.txt.tmp
	report "$dir/data" "$(date -u +%Y-%m-%d)" "$(run_commit "$console")" >"$dir/bench.md.tmp"
	mv "$dir/bench.md.tmp" "$dir/bench.md"
	sort -o "$dir/figures.txt" "$FIGURES"
	rm -f "$FIGURES"
	plots "$dir/data" "$dir"
	# README gets the tables without the page title, links into results/.
	part=$(mktemp)
	# shellcheck disable=SC2064 # expand $part now
	trap "rm -f '$part'" EXIT
	sed -e '1,/^Measured/{/^# /d}' -e 's/^## /### /' \
		-e 's/](\([a-z]*\.png\))/](results\/\1)/' \
		"$dir/bench.md" >"$part"
	readme_splice "$part"
	log "report: ${dir#"$TOP"/}/bench.md"
}

main "$@"

# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are for the scripts that source this
# Shared helpers for the bench scripts. Source it; do not run it.
#
# Every script that fails says why in one line, prefixed with its own name,
# and exits non-zero. Nothing here prints on success unless V=1.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=$BUILD/out
RESULTS=$BUILD/results
PROG=$(basename "$0")

# Kernel cross-compilation, shared by every kernel make invocation.
KARCH=(ARCH=s390 CROSS_COMPILE=s390x-linux-gnu-)

# kernel_make SRC KOUT ARGS... - make in kernel tree SRC, objects in KOUT,
# cross-compiling for s390x through ccache, reproducibly.
# CCACHE_BASEDIR makes the trees' paths relative, but not the assembler's
# include path in s390's -Wa,-I$(srctree)/arch/s390/include, which kept
# the worktrees (overlays, base) from sharing any C object with
# build/linux; ccache never hashes what the assembler includes, so that
# option is left out of the hash.
kernel_make() {
	local src=$1 kout=$2
	shift 2
	CCACHE_DIR=$BUILD/ccache CCACHE_BASEDIR=$BUILD \
		CCACHE_IGNOREOPTIONS="-Wa,-I$BUILD/*" \
		KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' \
		KBUILD_BUILD_USER=zpci KBUILD_BUILD_HOST=bench \
		make -C "$src" O="$kout" "${KARCH[@]}" \
		CC="ccache s390x-linux-gnu-gcc" "$@"
}

die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit 1
}

# install_output SRC DST - put a build's output in place: not at all if it
# did not change, and otherwise as a new file, not the old one overwritten,
# which a guest or VMM may be reading.
install_output() {
	cmp -s "$1" "$2" && return 0
	cp -p "$1" "$2.tmp"
	mv -f "$2.tmp" "$2"
}

# top_make ARGS... - the project's make, as a make of its own, away from
# the jobserver and flags of a make that runs the caller.
top_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" "$@"
}

# hold_lock KEY - hold build/state/KEY.lock until the script exits.
hold_lock() {
	local fd

	need_cmd flock
	mkdir -p "$BUILD/state"
	exec {fd}>"$BUILD/state/$1.lock"
	flock "$fd" || die "cannot lock build/state/$1.lock"
}

# lock_step KEY - hold_lock KEY, and record the step. The background
# prebuild of 'make check' (scripts/prebuild.sh) and the step that needs
# its output may run the same build script at once: the second waits for
# the first, and then finds its work done.
lock_step() {
	hold_lock "$1"
	record_step "$1"
}

# at_exit FUNC - call FUNC when the script exits, after the FUNCs added
# before it; EXIT_RC is the script's exit status there.
AT_EXIT=()
at_exit() {
	AT_EXIT+=("$1")
	trap 'EXIT_RC=$?; run_at_exit' EXIT
}

run_at_exit() {
	local f
	for f in "${AT_EXIT[@]}"; do
		"$f"
	done
}

# record_step KEY - when the script exits, add "KEY SECONDS STATUS" to
# STEP_LOG, if set: 'make check' (scripts/check.sh) keeps the time of each
# step there, counted from this call, for scripts/cost-table.sh.
record_step() {
	[ -n "${STEP_LOG:-}" ] || return 0
	STEP_KEY=$1
	STEP_T0=$SECONDS
	at_exit step_done
}

step_done() {
	printf '%s %d %d\n' "$STEP_KEY" $((SECONDS - STEP_T0)) "$EXIT_RC" >>"$STEP_LOG"
}

warn() {
	printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

log() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

vlog() {
	[ "${V:-0}" = 1 ] && log "$@"
	return 0
}

# need_cmd CMD... - fail with one line if a command is missing.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "missing command '$c' (run 'make setup' or install it)"
	done
}

# need_file FILE WHAT - fail with one line if FILE does not exist.
need_file() {
	[ -e "$1" ] || die "missing $2: $1"
}

# load_pins - read pins.conf into the environment.
load_pins() {
	local key val
	while IFS='=' read -r key val; do
		case "$key" in
		'' | '#'*) continue ;;
		*[!A-Z0-9_]*) die "pins.conf: bad key '$key'" ;;
		esac
		printf -v "$key" '%s' "$val"
		export "${key?}"
	done <"$TOP/pins.conf"
}

# run_quiet LOG CMD... - run CMD with output to LOG; on failure show the
# tail of LOG and fail. With V=1 the output goes to the terminal too.
run_quiet() {
	local logf=$1
	shift
	mkdir -p "$(dirname "$logf")"
	if [ "${V:-0}" = 1 ]; then
		"$@" 2>&1 | tee "$logf"
	else
		if ! "$@" >"$logf" 2>&1; then
			tail -n 25 "$logf" >&2
			return 1
		fi
	fi
}

# stamp_of FILE... - a hash over the contents of the named files.
stamp_of() {
	cat "$@" | sha256sum | cut -d' ' -f1
}

# Checks whose outcome is a function of their input alone (checkpatch on
# one patch, sparse on the series, the cover letter against its sources)
# remember each input that passed, by a stamp of it, in
# CHECK_CACHE/NAME/ (default build/cache/checks), so that a warm make
# check does not run them again on the same input. A failure is never
# remembered.
# passed_before NAME STAMP - whether the check NAME passed on STAMP.
CHECK_CACHE=${CHECK_CACHE:-$BUILD/cache/checks}
passed_before() {
	[ -e "$CHECK_CACHE/$1/$2" ]
}

# remember_pass NAME STAMP - the check NAME passed on STAMP.
remember_pass() {
	mkdir -p "$CHECK_CACHE/$1" && : >"$CHECK_CACHE/$1/$2"
}

# apt_root ROOT ARCH SOURCE... - a private apt root in ROOT for ARCH: its
# own sources.list (each SOURCE is "URI SUITE COMPONENT"), lists and
# cache, and no dpkg status, so the host's architectures and apt state
# stay untouched. Updates its lists and sets APT_OPTS, the options for
# apt-get, and APT_LOG, its log (build/logs/<basename of ROOT>.log).
apt_root() {
	local root=$1 arch=$2 src
	shift 2

	APT_LOG=$BUILD/logs/$(basename "$root").log
	mkdir -p "$root/lists/partial" "$root/cache/archives/partial" "$BUILD/logs"
	for src in "$@"; do
		printf 'deb [arch=%s signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s\n' \
			"$arch" "$src"
	done >"$root/sources.list"
	APT_OPTS=(
		-o APT::Architecture="$arch" -o APT::Architectures::="$arch"
		-o Dir::Etc::SourceList="$root/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$root/lists" -o Dir::Cache="$root/cache"
		-o Dir::State::status=/dev/null -o Debug::NoLocking=1
		-o APT::Sandbox::User=root
	)
	apt-get "${APT_OPTS[@]}" update >"$APT_LOG" 2>&1 ||
		die "apt-get update of ${root#"$TOP"/} failed (log: ${APT_LOG#"$TOP"/})"
}

# apt_download ROOT ARCH DIR PKG VERSION SOURCE... - download the .deb of
# PKG=VERSION into DIR through the private apt root ROOT (apt_root). Sets
# APT_DEB to the .deb, whose version is checked.
apt_download() {
	local root=$1 arch=$2 dir=$3 pkg=$4 version=$5
	local -a debs
	shift 5

	log "downloading $pkg $version"
	apt_root "$root" "$arch" "$@"
	mkdir -p "$dir"
	(cd "$dir" && apt-get "${APT_OPTS[@]}" download "$pkg=$version") >>"$APT_LOG" 2>&1 ||
		die "cannot download $pkg=$version (log: ${APT_LOG#"$TOP"/})"
	# apt writes the epoch's colon as %3a; the architecture may be 'all'
	mapfile -t debs < <(compgen -G "$dir/${pkg}_${version/:/%3a}_*.deb" || true)
	[ ${#debs[@]} = 1 ] || die "no single .deb of $pkg $version in ${dir#"$TOP"/}"
	APT_DEB=${debs[0]}
	[ "$(dpkg-deb -f "$APT_DEB" Version)" = "$version" ] ||
		die "$APT_DEB is not version $version"
}

# Debian's archive of the base, for s390x packages (apt_root's SOURCE)
DEBIAN_S390X_SOURCES=(
	"http://deb.debian.org/debian bookworm main"
	"http://deb.debian.org/debian-security bookworm-security main"
)

# fetch_mainline_deb - the mainline linux-source .deb pinned in pins.conf
# (MAINLINE_*) in build/cache/MAINLINE_PKG/, downloaded through a private
# apt root (build/cache/apt-MAINLINE_SUITE) unless it is there with the
# pinned sha256; sets MAINLINE_DEB. Needs load_pins.
fetch_mainline_deb() {
	local dir=$BUILD/cache/$MAINLINE_PKG sum

	need_cmd dpkg-deb tar xz
	MAINLINE_DEB=$dir/${MAINLINE_PKG}_${MAINLINE_VERSION/:/%3a}_all.deb
	if [ ! -f "$MAINLINE_DEB" ] ||
		[ "$(sha256sum "$MAINLINE_DEB" | cut -d' ' -f1)" != "$MAINLINE_SHA256" ]; then
		rm -f "$MAINLINE_DEB"
		apt_download "$BUILD/cache/apt-$MAINLINE_SUITE" amd64 "$dir" \
			"$MAINLINE_PKG" "$MAINLINE_VERSION" \
			"http://deb.debian.org/debian $MAINLINE_SUITE main"
		MAINLINE_DEB=$APT_DEB
	fi
	sum=$(sha256sum "$MAINLINE_DEB" | cut -d' ' -f1)
	[ "$sum" = "$MAINLINE_SHA256" ] ||
		die "${MAINLINE_DEB#"$TOP"/}: sha256 $sum, pinned $MAINLINE_SHA256"
}

# mainline_tarball - the kernel tarball inside MAINLINE_DEB (fetch_mainline_deb)
# on stdout, still xz-compressed; its top directory is MAINLINE_PKG.
mainline_tarball() {
	dpkg-deb --fsys-tarfile "$MAINLINE_DEB" | tar -xO "./usr/src/$MAINLINE_PKG.tar.xz"
}

# series_files DIR - the patch files that DIR/series lists, in order.
series_files() {
	local dir=$1 p
	[ -f "$dir/series" ] || return 0
	while read -r p; do
		case "$p" in '' | '#'*) continue ;; esac
		need_file "$dir/$p" "patch listed in $dir/series"
		printf '%s\n' "$dir/$p"
	done <"$dir/series"
}

# Editable trees: build/<name> is a git repository whose first commit is
# tagged 'base' (the pinned upstream source) and whose branch 'series'
# carries patches/<name>/ applied with git am.
GIT_IDENTITY=(-c "user.name=s390 zPCI branch" -c "user.email=zpci-branch@example.org")

# The overlays: each is patches/<name>/ on top of the kernel series, for
# the bench only. The reproducers put back an order of locks that a test
# must catch: repro the 2021 proposal's zdev->state_lock in the region
# (seed 004), repro-race the region taking the device lock before
# memory_lock, repro-events every zPCI event handled in kmcheck again.
# ism-client adds the fix of SMC-D's peer shutdown and a test client of
# the ism driver's client API, for the tests of the ISM model and SMC-D;
# repro-smc, on top of ism-client, takes that fix back out.
REPROS=(repro repro-race repro-events repro-smc)
OVERLAYS=("${REPROS[@]}" ism-client)

# tree_vars NAME - set TREE, SERIES_DIR, STATE and WORKTREE for the tree
# NAME. An overlay's tree is a worktree of build/linux, build/NAME/linux,
# with its objects in build/NAME/kbuild: the same paths relative to each
# other as build/linux and build/kbuild, so that ccache
# (CCACHE_BASEDIR=build) shares objects between them. The tree 'base' is
# such a worktree at the tag 'base', without patches: the unpatched kernel
# that vfio-selftests compares the series with.
#
# The mainline trees are the same pair on Linux 7.3: mainline, the 7.3
# base with patches/mainline, a repository of its own (build/mainline/
# linux, so that the two series never share a branch), and mainline-base,
# its worktree at 'base' (build/mainline-base/linux), stock 7.3; their
# objects are at the same depth too. PARENT is the repository of a
# worktree.
tree_vars() {
	WORKTREE=1 PARENT=$BUILD/linux
	case "$1" in
	linux | qemu) TREE=$BUILD/$1 BASE_REF=base BRANCH=series WORKTREE= ;;
	mainline) TREE=$BUILD/$1/linux BASE_REF=base BRANCH=series WORKTREE= ;;
	repro-smc) TREE=$BUILD/$1/linux BASE_REF=ism-client BRANCH=$1 ;;
	repro | repro-* | ism-client) TREE=$BUILD/$1/linux BASE_REF=series BRANCH=$1 ;;
	base) TREE=$BUILD/base/linux BASE_REF=base BRANCH=unpatched ;;
	mainline-base)
		TREE=$BUILD/$1/linux BASE_REF=base BRANCH=unpatched PARENT=$BUILD/mainline/linux
		;;
	*) die "unknown tree '$1' (linux, mainline, qemu, base, mainline-base or ${OVERLAYS[*]})" ;;
	esac
	SERIES_DIR=${PATCHES:-$TOP/patches}/$1
	STATE=$BUILD/state/$1
	mkdir -p "$STATE"
}

# series_stamp - hash of the series file and every patch it lists (if
# there is one), and of the commit the series applies to.
series_stamp() {
	local files
	mapfile -t files < <(series_files "$SERIES_DIR")
	{
		[ ! -f "$SERIES_DIR/series" ] || stamp_of "$SERIES_DIR/series" "${files[@]}"
		git -C "$TREE" rev-parse "$BASE_REF"
	} | stamp_of -
}

# at_rev REPO REV CMD... - run CMD with REPO's work tree checked out at
# REV (detached), then go back to branch 'series', also when CMD fails.
# The work tree must have no uncommitted changes.
at_rev() {
	local repo=$1 rev=$2 rc=0
	shift 2
	[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
		die "${repo#"$TOP"/} has uncommitted changes: commit them first"
	git -C "$repo" checkout -q --detach "$rev"
	"$@" || rc=$?
	git -C "$repo" checkout -q series
	return $rc
}

# tap_diag - copy stdin to stdout as TAP diagnostics ("# " in front).
tap_diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done
}

# kernel_vars VARIANT - set KSRC (tree) and KOUT (objects) of a kernel
# variant: default, kasan or nodebug (same tree, own objects), ism-client
# or the unpatched base (its worktree, its objects at the same depth for
# ccache), mainline or mainline-base (the 7.3 series and stock 7.3, the
# same layout), or nested (the ism-client tree, objects of its own); and
# KFRAGMENT, the name of its fragment in configs/ if it has one (an
# overlay on ism-client takes ism-client's).
#
# A reproducer is its host (default, or ism-client for repro-smc) with a
# patch or two on top and the same config. It is built at its branch,
# KREV, in the host's tree and objects, which then compile only the files
# that the reproducer changes; HOST_LOCKS are the locks of everything
# that reads that tree or those objects meanwhile, in the order to take
# them (see build-kernel.sh).
kernel_vars() {
	KFRAGMENT=$1 KREV='' HOST_LOCKS=()
	case "$1" in
	default | kasan | nodebug) KSRC=$BUILD/linux KOUT=$BUILD/kbuild/$1 ;;
	ism-client | base | mainline | mainline-base)
		KSRC=$BUILD/$1/linux KOUT=$BUILD/$1/kbuild/default
		;;
	nested) KSRC=$BUILD/ism-client/linux KOUT=$BUILD/ism-client/kbuild/nested ;;
	repro-smc)
		kernel_vars ism-client
		KREV=$1 HOST_LOCKS=(tree-ism-client kernel-ism-client kernel-nested)
		;;
	repro | repro-*)
		kernel_vars default
		KFRAGMENT=$1 KREV=$1 HOST_LOCKS=(tree-linux kernel-default)
		;;
	*) die "unknown kernel variant '$1'" ;;
	esac
}

# series_kernel NAME - REPO and KOUT of the kernel series NAME: linux (the
# 6.12 series) or mainline (the 7.3 one), its tree and the objects of its
# bench kernel; SERIES_TAG, a name for what is kept of it (empty for
# linux, -mainline); SERIES_LOCKS, the locks of the steps that make that
# tree and build that kernel (tree.sh, build-kernel.sh), in the order to
# take them.
series_kernel() {
	case "$1" in
	linux)
		kernel_vars default && SERIES_TAG=
		SERIES_LOCKS=(tree-linux kernel-default)
		;;
	mainline)
		kernel_vars mainline && SERIES_TAG=-mainline
		SERIES_LOCKS=(tree-mainline kernel-mainline)
		;;
	*) die "unknown kernel series '$1' (linux or mainline)" ;;
	esac
	REPO=$KSRC
}

# --- QEMU: the ISM-like functions, the builds, QEMU's own tests ----------

# The QEMU device model of the ISM-like function (patches/qemu), for the
# guest runs (run-guest.sh) and the qtest group (qtest-run.sh): as real
# ISM, in a function group with relaxed alignment and with MSI only; and
# for the tests of the strict rules and of the MSI-X table, in a group
# without relaxed alignment, with MSI-X.
ISM_DEVICE=${ISM_DEVICE:-s390-ism-test,msix-vectors=0}
ISM_STRICT_DEVICE=${ISM_STRICT_DEVICE:-s390-ism-test,relaxed-alignment=off}

# zpci_devices ISM STRICT VIRTIO - the -device arguments: a zpci function
# each, fids and uids counted from 1, ISM-like ones first, the last STRICT
# of those strict.
zpci_devices() {
	local i n=0 dev

	for ((i = 1; i <= $1; i++)); do
		n=$((n + 1))
		dev=$ISM_DEVICE
		[ "$i" -gt $(($1 - $2)) ] && dev=$ISM_STRICT_DEVICE
		printf -- '-device\nzpci,uid=%d,fid=%d,target=ism%d,id=zpci%d\n' $n $n $i $n
		printf -- '-device\n%s,id=ism%d\n' "$dev" $i
	done
	for ((i = 1; i <= $3; i++)); do
		n=$((n + 1))
		printf -- '-device\nzpci,uid=%d,fid=%d,target=vio%d,id=zpci%d\n' $n $n $i $n
		printf -- '-device\nvirtio-rng-pci,id=vio%d\n' $i
	done
}

# The QEMU builds for this machine: the series (build-qemu.sh host) and the
# unpatched base the qtest group compares it with (build-qemu.sh base).
QEMU_BDIR=$BUILD/qemu-build
QEMU_BASE_BDIR=$BUILD/qemu-base/qemu-build

# ccache for QEMU builds: paths relative to build/ and no working directory
# in the hash, so that a build of the same source elsewhere (a clone in
# another directory, a scratch copy) takes its objects from the cache. The
# series and the base share few: config-poison.h, which nearly every file
# includes, names the series' Kconfig symbol.
QEMU_CCACHE=(CCACHE_DIR="$BUILD/ccache" CCACHE_BASEDIR="$BUILD" CCACHE_NOHASHDIR=1)

# qemu_bundle BDIR - the data directory of a QEMU run from its build
# directory BDIR: the configured one, under BDIR/qemu-bundle.
qemu_bundle() {
	local datadir

	datadir=$(sed -n 's/^#define CONFIG_QEMU_DATADIR "\(.*\)"$/\1/p' "$1/config-host.h" 2>/dev/null)
	[ -n "$datadir" ] || die "no CONFIG_QEMU_DATADIR in ${1#"$TOP"/}/config-host.h (run 'make qemu')"
	printf '%s\n' "$1/qemu-bundle$datadir"
}

# qtest_list BDIR - the s390x qtests of the QEMU build BDIR, as meson
# declares them for 'make check-qtest-s390x': "NAME PROGRAM TIMEOUT" lines
# (the program relative to BDIR, the timeout in seconds), by name.
qtest_list() {
	need_file "$1/meson-info/intro-tests.json" "QEMU build (run 'make qemu')"
	python3 - "$1" <<-'EOF'
		import json, os, sys
		bdir = sys.argv[1]
		with open(os.path.join(bdir, "meson-info", "intro-tests.json")) as f:
		    tests = json.load(f)
		for t in sorted(tests, key=lambda t: t["name"]):
		    if "qemu:qtest-s390x" in t["suite"]:
		        print(t["name"].split("/")[-1], os.path.relpath(t["cmd"][0], bdir), t["timeout"])
	EOF
}

# commit_id - the commit of the project's tree, "-dirty" if the tree differs
# from it other than in what make bench writes (results/, README.md)
commit_id() {
	local id

	id=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
	if [ -n "$(git -C "$TOP" status --porcelain --untracked-files=no -- . \
		':!results' ':!README.md')" ]; then
		id+=-dirty
	fi
	echo "$id"
}

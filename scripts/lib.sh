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
kernel_make() {
	local src=$1 kout=$2
	shift 2
	CCACHE_DIR=$BUILD/ccache CCACHE_BASEDIR=$BUILD \
		KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' \
		KBUILD_BUILD_USER=zpci KBUILD_BUILD_HOST=bench \
		make -C "$src" O="$kout" "${KARCH[@]}" \
		CC="ccache s390x-linux-gnu-gcc" "$@"
}

die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	exit 1
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
# memory_lock. ism-client adds a test client of the ism driver's client
# API, for the tests of the ISM model.
REPROS=(repro repro-race)
OVERLAYS=("${REPROS[@]}" ism-client)

# tree_vars NAME - set TREE, SERIES_DIR and STATE for the tree NAME.
# An overlay's tree is a worktree of build/linux, build/NAME/linux, with
# its objects in build/NAME/kbuild: the same paths relative to each other
# as build/linux and build/kbuild, so that ccache (CCACHE_BASEDIR=build)
# shares objects between them.
tree_vars() {
	case "$1" in
	linux | qemu) TREE=$BUILD/$1 BASE_REF=base BRANCH=series ;;
	repro | repro-* | ism-client) TREE=$BUILD/$1/linux BASE_REF=series BRANCH=$1 ;;
	*) die "unknown tree '$1' (linux, qemu or ${OVERLAYS[*]})" ;;
	esac
	SERIES_DIR=${PATCHES:-$TOP/patches}/$1
	STATE=$BUILD/state/$1
	mkdir -p "$STATE"
}

# series_stamp - hash of the series file and every patch it lists, and
# of the commit the series applies to.
series_stamp() {
	local files
	mapfile -t files < <(series_files "$SERIES_DIR")
	{
		stamp_of "$SERIES_DIR/series" "${files[@]}"
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
# variant: default, kasan (same tree, own objects), or an overlay (its
# worktree, its objects at the same depth for ccache).
kernel_vars() {
	case "$1" in
	default | kasan) KSRC=$BUILD/linux KOUT=$BUILD/kbuild/$1 ;;
	repro | repro-* | ism-client) KSRC=$BUILD/$1/linux KOUT=$BUILD/$1/kbuild/default ;;
	*) die "unknown kernel variant '$1'" ;;
	esac
}

#!/usr/bin/env bash
# Builds the lab's real tools from Go modules, pinned in versions.env, into a cache outside the repo.
#   build.sh [signing|cluster|fixtures|all]   (default: signing)
# Cache: $KUBECTL_VERIFY_LAB_CACHE or ~/.cache/kubectl-verify-lab. A tool is rebuilt only when its
# version changes. Progress goes to stderr, with a heartbeat while the Go compiler works.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
stage=${1:-signing}
cache=${KUBECTL_VERIFY_LAB_CACHE:-$HOME/.cache/kubectl-verify-lab}
mkdir -p "$cache/bin" "$cache/builds"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
export GOMODCACHE="$cache/gomod" GOCACHE="$cache/gocache"
start_all=$(date +%s)

say() { printf '[lab build] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

command -v go >/dev/null || die "go is not on PATH; the lab's tools are built from Go modules (Go >= $GO_TOOLCHAIN_MIN)"
gov=$(go env GOVERSION | sed 's/^go//')
case "$(printf '%s\n%s\n' "$GO_TOOLCHAIN_MIN" "$gov" | sort -V | head -1)" in
  "$GO_TOOLCHAIN_MIN") ;;
  *) die "go $gov is older than $GO_TOOLCHAIN_MIN, which the pinned tools need" ;;
esac

# run_with_heartbeat NAME CMD...: runs CMD, printing a line every 30 s so a long cold build is visibly alive.
run_with_heartbeat() {
  local name=$1; shift
  local log="$cache/builds/$name.log" t0; t0=$(date +%s)
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && say "  … still building $name ($(( $(date +%s) - t0 ))s)"
  done
  if ! wait "$pid"; then tail -n 30 "$log" >&2; die "building $name failed (full log: $log)"; fi
  say "  built $name in $(( $(date +%s) - t0 ))s"
}

# have TOOL VERSION: true when the cached binary exists.
have() { [ -x "$cache/bin/$1-$2/$1" ]; }

# install_go TOOL VERSION PKG [ldflags]: builds package PKG at VERSION inside a throwaway wrapper
# module. Plain `go install pkg@version` is not used: it asks the proxy for the module's version list
# (to look for deprecations), and the proxy here refuses that list for some modules.
install_go() {
  local tool=$1 version=$2 pkg=$3 ldflags=${4:-}
  if have "$tool" "$version"; then say "$tool $version: cached"; return; fi
  say "$tool $version: building $pkg"
  local dir="$cache/builds/$tool-wrapper-$version"; rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && go mod init "lab/$tool-wrapper" >/dev/null 2>&1 && go get "$pkg@$version") >"$cache/builds/$tool-get.log" 2>&1 \
    || { tail -n 20 "$cache/builds/$tool-get.log" >&2; die "resolving $pkg@$version failed"; }
  wrapper_build "$tool" "$version" "$dir" "$pkg" "$ldflags"
}

# wrapper_build TOOL VERSION DIR PKG [ldflags]: builds PKG inside a wrapper module prepared in DIR.
wrapper_build() {
  local tool=$1 version=$2 dir=$3 pkg=$4 ldflags=${5:-}
  local out="$cache/bin/$tool-$version"; mkdir -p "$out.tmp"
  run_with_heartbeat "$tool-$version" bash -c "cd '$dir' && go build -ldflags '$ldflags' -o '$out.tmp/$tool' '$pkg'"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_signing() {
  install_go olareg "$OLAREG_VERSION" github.com/olareg/olareg/cmd/olareg
  install_go oras "$ORAS_VERSION" oras.land/oras/cmd/oras
  install_go notation "$NOTATION_VERSION" github.com/notaryproject/notation/cmd/notation
  install_go cosign "$COSIGN_VERSION" github.com/sigstore/cosign/v3/cmd/cosign
  install_go helm "$HELM_VERSION" helm.sh/helm/v4/cmd/helm
  docker_registry
}

# Debian's docker-registry 2.8 is the registry without the referrers API; install it when missing.
docker_registry() {
  if [ -x /usr/bin/docker-registry ]; then say "docker-registry: installed"; return; fi
  command -v apt-get >/dev/null || die "docker-registry is missing and apt-get is not available to install it"
  say "docker-registry: installing Debian's package"
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-registry >&2 \
    || die "could not install Debian's docker-registry"
  # the package starts a system service on :5000; the lab runs its own instances on free ports
  $sudo systemctl disable --now docker-registry >/dev/null 2>&1 || true
  $sudo pkill -f '^/usr/bin/docker-registry serve /etc/docker/registry/config.yml' >/dev/null 2>&1 || true
}

build_etcd() {
  if have etcd "$ETCD_VERSION"; then say "etcd $ETCD_VERSION: cached"; return; fi
  say "etcd $ETCD_VERSION: building through a wrapper module (its go.mod has replace directives)"
  local dir="$cache/builds/etcd-wrapper-$ETCD_VERSION"; rm -rf "$dir"; mkdir -p "$dir"
  (cd "$dir" && go mod init lab/etcd-wrapper >/dev/null 2>&1 \
    && printf 'package main\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go \
    && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null 2>&1 && go mod tidy >/dev/null 2>&1) || true
  rm -f "$dir/tools.go"
  (cd "$dir" && go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION") >&2 || die "resolving etcd failed"
  wrapper_build etcd "$ETCD_VERSION" "$dir" go.etcd.io/etcd/server/v3
}

build_kubernetes() {
  if have kube-apiserver "$KUBERNETES_VERSION" && have kubectl "$KUBERNETES_VERSION"; then say "kube-apiserver, kubectl $KUBERNETES_VERSION: cached"; return; fi
  say "kube-apiserver, kubectl $KUBERNETES_VERSION: building through a wrapper module (staging modules are required at v0.0.0)"
  local dir="$cache/builds/k8s-wrapper-$KUBERNETES_VERSION"; rm -rf "$dir"; mkdir -p "$dir"
  local gomod staging minor=${KUBERNETES_VERSION#v1.}
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$KUBERNETES_VERSION"
  staging=$(grep -E '^\s*k8s\.io/[a-z0-9-]+ v0\.0\.0\s*$' "$gomod" | awk '{print $1}' | sort -u)
  (cd "$dir" && go mod init lab/k8s-wrapper >/dev/null 2>&1
    for m in $staging; do go mod edit -replace "$m=$m@v0.$minor"; done
    # non-staging replaces of k/k's own go.mod are mirrored too, so the wrapper sees the same graph
    go mod edit -require "k8s.io/kubernetes@$KUBERNETES_VERSION"
    go get "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION" "k8s.io/kubernetes/cmd/kubectl@$KUBERNETES_VERSION") >&2 \
    || die "resolving kubernetes failed"
  local lf="-X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor%%.*} -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
  wrapper_build kube-apiserver "$KUBERNETES_VERSION" "$dir" k8s.io/kubernetes/cmd/kube-apiserver "$lf"
  mv "$cache/bin/kube-apiserver-$KUBERNETES_VERSION" "$cache/bin/kube-apiserver-$KUBERNETES_VERSION.keep"
  wrapper_build kubectl "$KUBERNETES_VERSION" "$dir" k8s.io/kubernetes/cmd/kubectl "$lf"
  mv "$cache/bin/kube-apiserver-$KUBERNETES_VERSION.keep" "$cache/bin/kube-apiserver-$KUBERNETES_VERSION"
}

# build_flux_controller NAME VERSION "EXTRA_REPLACES": a Flux controller through a wrapper module that
# mirrors the controller's non-local replaces (its ./api replace is dropped for the published api module).
build_flux_controller() {
  local name=$1 v=$2 extra=$3 module="github.com/fluxcd/$1"
  if have "$name" "$v"; then say "$name $v: cached"; return; fi
  say "$name $v: building through a wrapper module (its go.mod has replace directives)"
  [ -z "$extra" ] || say "  with extra replaces: $extra (see versions.env)"
  local dir="$cache/builds/$name-wrapper-$v"; rm -rf "$dir"; mkdir -p "$dir"
  local gomod
  gomod=$(go mod download -json "$module@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  (cd "$dir" && go mod init "lab/$name-wrapper" >/dev/null 2>&1
    grep -E '^\s*(replace\s+)?[^ /][^ ]*( v[^ ]+)? => [^.][^ ]* v[^ ]+' "$gomod" | sed -E 's/^\s*replace\s+//' | while read -r from _arrow to ver rest; do
      [ "$_arrow" = "=>" ] || { from="$from@$_arrow"; _arrow=$to; to=$ver; ver=$rest; }
      go mod edit -replace "$from=$to@$ver"
    done
    for r in $extra; do go mod edit -replace "$r"; done
    go get "$module@$v") >&2 || die "resolving $name failed"
  wrapper_build "$name" "$v" "$dir" "$module"
}

build_source_controller() {
  build_flux_controller source-controller "$SOURCE_CONTROLLER_VERSION" "${SOURCE_CONTROLLER_EXTRA_REPLACES:-}"
}

# fetch_crds NAME MODULE VERSION: a controller's CRDs from its module zip (config/ is in it), into crds/NAME-VERSION.
fetch_crds() {
  local name=$1 module=$2 version=$3 dest="$cache/crds/$1-$3"
  if [ -d "$dest" ]; then say "$name $version CRDs: cached"; return; fi
  local dir
  dir=$(go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir/config/crd/bases" ] || die "no CRDs in $module@$version"
  mkdir -p "$dest.tmp" && cp "$dir"/config/crd/bases/*.yaml "$dest.tmp/" && chmod -R u+w "$dest.tmp" && mv "$dest.tmp" "$dest"
  say "$name $version CRDs: $(ls "$dest" | wc -l) fetched"
}

# kustomize-controller and helm-controller write the applied revisions consumers carry
build_consumers() {
  build_flux_controller kustomize-controller "$KUSTOMIZE_CONTROLLER_VERSION" "${KUSTOMIZE_CONTROLLER_EXTRA_REPLACES:-}"
  build_flux_controller helm-controller "$HELM_CONTROLLER_VERSION" "${HELM_CONTROLLER_EXTRA_REPLACES:-}"
}

build_crds() {
  fetch_crds source-controller github.com/fluxcd/source-controller "$SOURCE_CONTROLLER_VERSION"
  fetch_crds kustomize-controller github.com/fluxcd/kustomize-controller "$KUSTOMIZE_CONTROLLER_VERSION"
  fetch_crds helm-controller github.com/fluxcd/helm-controller "$HELM_CONTROLLER_VERSION"
}

# Test vectors for the unit tests, from the Go modules that publish them (test/lab/fixtures.layout lists the
# files). Each folder is copied into $cache/fixtures/<folder>-<version>; it is fetched again only when its
# version, its pinned sum or its lines in fixtures.layout change. The zip is checked against the h1: sum
# pinned in versions.env (what go.sum would hold), so a proxy serving other bytes is refused.
build_fixtures() {
  local kw folder module vvar svar
  while read -r kw folder module vvar svar; do
    [ "$kw" = module ] || continue
    [ -n "${!vvar:-}" ] && [ -n "${!svar:-}" ] || die "$vvar and $svar must be set in versions.env (fixtures.layout names them)"
    fetch_fixture "$folder" "$module" "${!vvar}" "${!svar}"
  done < "$here/fixtures.layout"
}

# fixture_lines FOLDER: the "<path> <source>" lines that follow FOLDER's module line in fixtures.layout.
fixture_lines() { awk -v f="$1" '/^#/ || NF == 0 { next } $1 == "module" { on = ($2 == f); next } on { print $1, $2 }' "$here/fixtures.layout"; }

# go_literal NAME FILE: the bytes of the raw string literal a Go file assigns with `NAME := `…``.
go_literal() {
  awk -v name="$1" '{ if (!on) { i = index($0, name " := `"); if (!i) next; on = 1; rest = substr($0, i + length(name) + 5) } else rest = $0
      j = index(rest, "`"); if (j) { printf "%s", substr(rest, 1, j - 1); found = 1; exit }
      print rest }
    END { exit !found }' "$2"
}

# fetch_fixture FOLDER MODULE VERSION SUM
fetch_fixture() {
  local folder=$1 module=$2 version=$3 sum=$4 dest="$cache/fixtures/$1-$3" stamp json dir got n=0 path src file name
  stamp=$(printf '%s@%s %s\n' "$module" "$version" "$sum"; fixture_lines "$folder")
  if [ -f "$dest/.layout" ] && [ "$(cat "$dest/.layout")" = "$stamp" ]; then say "$folder test vectors ($module@$version): cached"; return; fi
  say "$folder test vectors: downloading $module@$version"
  json=$(go mod download -json "$module@$version") || die "could not download $module@$version: $(sed -n 's/.*"Error": "\(.*\)".*/\1/p' <<<"$json")"
  dir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' <<<"$json")
  got=$(sed -n 's/.*"Sum": "\(.*\)".*/\1/p' <<<"$json")
  [ "$got" = "$sum" ] || die "$module@$version: the module zip's sum is $got, but versions.env pins $sum"
  rm -rf "$dest.tmp"; mkdir -p "$dest.tmp"
  while read -r path src; do
    mkdir -p "$(dirname "$dest.tmp/$path")"
    case $src in
      literal:*|pem-body:*)
        file=${src#*:}; name=${file#*:}; file=${file%%:*}
        go_literal "$name" "$dir/$file" > "$dest.tmp/$path.lit" || die "$module@$version: no literal $name in $file (for $folder/$path)"
        if [ "${src%%:*}" = literal ]; then mv "$dest.tmp/$path.lit" "$dest.tmp/$path"
        else
          { head -n 1 "$dest.tmp/$path.lit" | grep -q '^-----BEGIN ' && tail -n 1 "$dest.tmp/$path.lit" | grep -q '^-----END '; } || die "$module@$version: $name in $file is not a PEM block"
          sed '1d;$d' "$dest.tmp/$path.lit" | base64 -d > "$dest.tmp/$path" || die "$module@$version: $name in $file has no base64 body"
          rm "$dest.tmp/$path.lit"
        fi ;;
      *) [ -f "$dir/$src" ] || die "$module@$version has no $src (for $folder/$path; see fixtures.layout)"
        cp "$dir/$src" "$dest.tmp/$path" ;;
    esac
    n=$((n + 1))
  done < <(fixture_lines "$folder")
  printf '%s\n' "$stamp" > "$dest.tmp/.layout"
  # module cache files are read-only; the copies are made writable so a later refresh can replace them
  chmod -R u+w "$dest.tmp" && rm -rf "$dest" && mv "$dest.tmp" "$dest"
  say "$folder test vectors: $n files from $module@$version in $dest"
}

case "$stage" in
  signing) build_signing ;;
  cluster) build_etcd; build_kubernetes; build_source_controller; build_consumers; build_crds ;;
  fixtures) build_fixtures ;;
  all) build_signing; build_etcd; build_kubernetes; build_source_controller; build_consumers; build_crds; build_fixtures ;;
  *) die "usage: build.sh [signing|cluster|fixtures|all]" ;;
esac
say "done ($stage) in $(( $(date +%s) - start_all ))s; binaries under $cache/bin"

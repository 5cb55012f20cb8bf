#!/usr/bin/env bash
# Build the base image for deploy/docker/Dockerfile from Debian packages, with no image registry.
#
#   deploy/docker/build-base.sh [TAG]             (default: anneal-base:bookworm)
#   docker build -f deploy/docker/Dockerfile --build-arg PYTHON_IMAGE=anneal-base:bookworm -t anneal:0.1.0 .
#
# For sites that reach no image registry (behind a firewall, or with an approved-base policy): the
# image is made with `debootstrap --variant=minbase` from a Debian mirror, plus Debian's Python 3.11,
# pip and venv, then loaded with `docker import`. Nothing is pulled from Docker Hub.
#
# The certificate authorities added to this machine (the files in LOCAL_CA_DIR, the folder that
# `update-ca-certificates` reads) are copied into the image and trusted there too, so pip and apt
# work through a TLS-inspecting proxy during `docker build`. Run as root (debootstrap needs it).
#
# Settings (environment):
#   DOCKER            the docker client (default: docker)
#   DEBIAN_MIRROR     the Debian mirror (default: http://deb.debian.org/debian)
#   DEBIAN_SUITE      the release (default: bookworm; the Dockerfile expects Python 3.11)
#   LOCAL_CA_DIR      extra CA certificates, *.crt (default: /usr/local/share/ca-certificates)
#   EXTRA_PACKAGES    more Debian packages, comma-separated (e.g. postgresql-client)
#   BASE_TARBALL      also keep the root filesystem as this .tar file
set -euo pipefail
TAG="${1:-anneal-base:bookworm}"
DOCKER="${DOCKER:-docker}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE="${DEBIAN_SUITE:-bookworm}"
LOCAL_CA_DIR="${LOCAL_CA_DIR:-/usr/local/share/ca-certificates}"
PACKAGES="python3,python3-pip,python3-venv,python-is-python3,ca-certificates${EXTRA_PACKAGES:+,$EXTRA_PACKAGES}"

if [ "$(id -u)" != 0 ]; then
  echo "build-base.sh needs root (debootstrap builds a root filesystem); run it with sudo." >&2
  exit 1
fi
command -v debootstrap >/dev/null 2>&1 || { echo "Install debootstrap first (apt-get install debootstrap)." >&2; exit 1; }
command -v "$DOCKER" >/dev/null 2>&1 || { echo "No docker client '$DOCKER'; set DOCKER." >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/anneal-base.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"

echo "debootstrap $SUITE from $MIRROR ..." >&2
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2
  [ -f "$ROOTFS/debootstrap/debootstrap.log" ] && tail -n 30 "$ROOTFS/debootstrap/debootstrap.log" >&2
  echo "debootstrap failed (see above)." >&2
  exit 1
}

if [ -d "$LOCAL_CA_DIR" ] && find "$LOCAL_CA_DIR" -name '*.crt' | grep -q .; then
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  find "$LOCAL_CA_DIR" -name '*.crt' -exec cp {} "$ROOTFS/usr/local/share/ca-certificates/" \;
fi
chroot "$ROOTFS" update-ca-certificates >/dev/null

# The image is its own environment: pip may install into the system Python (PEP 668 marker off).
rm -f "$ROOTFS"/usr/lib/python3*/EXTERNALLY-MANAGED
# Smaller and reproducible: no package lists, caches or logs; containers get their own hostname.
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/log/*.log \
  "$ROOTFS"/debootstrap "$ROOTFS"/tmp/* "$ROOTFS"/usr/share/man/*
: > "$ROOTFS/etc/hostname"
: > "$ROOTFS/etc/resolv.conf"

TARBALL="${BASE_TARBALL:-$WORK/rootfs.tar}"
tar --numeric-owner --xattrs -C "$ROOTFS" -cf "$TARBALL" .
"$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  --message "debootstrap --variant=minbase $SUITE + $PACKAGES" \
  "$TARBALL" "$TAG" >/dev/null
echo "Base image ready: $TAG" >&2

#!/usr/bin/env bash
# Build the air-gapped bundle: one directory to carry to a machine with no network.
#
#   deploy/airgap/build-bundle.sh DIRECTORY [IMAGE ...]
#
# IMAGE: the images to save (default: anneal:<version> postgres:15-bookworm redis:7-bookworm,
# the ones the compose file runs), the Anneal image first. Build or pull them first; nothing is
# pulled here. DIRECTORY must not exist yet. It gets:
#
#   INSTALL.md            what to do on the target, offline (deploy/airgap/INSTALL.md)
#   SHA256SUMS            every other file's SHA-256 (GNU format: `sha256sum -c SHA256SUMS`)
#   licenses.json, licenses.txt, sbom.cdx.json   the Anneal image's dependency license report and
#                         CycloneDX SBOM (its /usr/share/doc/anneal, see deploy/docker/Dockerfile)
#   wheelhouse/           every Python package as a wheel: the wheelhouse the image is built from
#   images/anneal-images.tar   the images, `docker save`; images/IMAGES lists their tags
#   compose/              deploy/compose: docker-compose.yml, .env.example, license/
#   helm/anneal/          the Helm chart
#
# DOCKER selects the docker client (default: docker); PYTHON_IMAGE the base the wheelhouse is built
# on, as for the image (default: python:3.11-slim-bookworm; see deploy/docker/build-base.sh);
# DOCKER_BUILD_ARGS adds options to that build (for example --network host).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: deploy/airgap/build-bundle.sh DIRECTORY [IMAGE ...]" >&2; exit 2; }
if [ -e "$1" ]; then
  echo "$1 exists already; name a new directory for the bundle." >&2
  exit 1
fi
mkdir -p "$1"
DEST="$(cd "$1" && pwd)"
shift
cd "$(dirname "$0")/../.."
DOCKER="${DOCKER:-docker}"
PYTHON_IMAGE="${PYTHON_IMAGE:-python:3.11-slim-bookworm}"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' core/__init__.py)"
if [ $# -gt 0 ]; then IMAGES=("$@"); else IMAGES=("anneal:$VERSION" postgres:15-bookworm redis:7-bookworm); fi

# write_sha256sums DIRECTORY: DIRECTORY/SHA256SUMS for every regular file below it, in the format
# of `sha256sum` and of core.release.checksums (`<sha256>  <relative path>`, sorted), so either
# `sha256sum -c` or `anneal release verify` style checks read it.
write_sha256sums() {
  local directory="$1" sums
  sums="$(mktemp)"
  if find "$directory" -type l | grep -q .; then
    echo "$directory holds symbolic links; a bundle holds only regular files." >&2
    return 1
  fi
  (cd "$directory" && find . -type f ! -path ./SHA256SUMS -printf '%P\0' | LC_ALL=C sort -z | xargs -0 -r sha256sum) > "$sums"
  mv "$sums" "$directory/SHA256SUMS"
  chmod 644 "$directory/SHA256SUMS"
}

for image in "${IMAGES[@]}"; do
  "$DOCKER" image inspect "$image" >/dev/null 2>&1 || {
    echo "Image $image is not on this machine; build or pull it first (see docs/deploy/air-gapped.md)." >&2
    rm -rf "$DEST"; exit 1
  }
done

# The license report and the SBOM the Anneal image ships, copied out of it: they describe exactly
# the packages in the image, which come from the wheelhouse below.
container="$("$DOCKER" create "${IMAGES[0]}")"
for name in licenses.json licenses.txt sbom.cdx.json; do
  if ! "$DOCKER" cp "$container:/usr/share/doc/anneal/$name" "$DEST/$name" >/dev/null 2>&1; then
    echo "Image ${IMAGES[0]} holds no /usr/share/doc/anneal/$name: name the Anneal image, built from" \
         "deploy/docker/Dockerfile, first." >&2
    "$DOCKER" rm "$container" >/dev/null; rm -rf "$DEST"; exit 1
  fi
done
"$DOCKER" rm "$container" >/dev/null

# The wheelhouse the image is built from (the Dockerfile's wheels stage): the image's Python and
# platform, whatever this machine runs.
echo "Wheelhouse (the Dockerfile's wheels stage, on $PYTHON_IMAGE) ..." >&2
# shellcheck disable=SC2086  # DOCKER_BUILD_ARGS is a list of words
DOCKER_BUILDKIT=1 "$DOCKER" build --quiet ${DOCKER_BUILD_ARGS:-} -f deploy/docker/Dockerfile --target wheelhouse \
  --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" --output "type=local,dest=$DEST/wheelhouse" . >&2
if ! find "$DEST/wheelhouse" -maxdepth 1 -name 'anneal-*.whl' | grep -q .; then
  echo "The wheels stage produced no anneal wheel; see the build output above." >&2
  rm -rf "$DEST"; exit 1
fi
echo "Images: ${IMAGES[*]} ..." >&2
mkdir -p "$DEST/images"
"$DOCKER" save -o "$DEST/images/anneal-images.tar" "${IMAGES[@]}"
printf '%s\n' "${IMAGES[@]}" > "$DEST/images/IMAGES"
mkdir -p "$DEST/compose/license" "$DEST/helm"
cp deploy/compose/docker-compose.yml deploy/compose/.env.example "$DEST/compose/"
cp deploy/compose/license/README.md "$DEST/compose/license/"
cp -R deploy/helm/anneal "$DEST/helm/anneal"
{
  cat deploy/airgap/INSTALL.md
  printf '\n## This bundle\n\nAnneal %s, built %s. Images in `images/anneal-images.tar`:\n\n' "$VERSION" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf -- '- `%s`\n' "${IMAGES[@]}"
} > "$DEST/INSTALL.md"
chmod -R u=rwX,go=rX "$DEST"
write_sha256sums "$DEST"
echo "Bundle ready: $DEST ($(du -sh "$DEST" | cut -f1))"

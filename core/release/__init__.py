"""Verifiable releases: checksums, signatures, the dependency license report and the SBOM.

* :mod:`core.release.checksums` writes and verifies ``SHA256SUMS`` files for any directory
  (a release, an air-gapped bundle): reuse it rather than hashing by hand;
* :mod:`core.release.signing` signs a file with an Ed25519 key and checks a signature;
* :mod:`core.release.keyring` holds the release public keys shipped with Anneal;
* :mod:`core.release.verify` checks a downloaded release (``anneal release verify DIR``);
* :mod:`core.release.dependencies` walks the installed dependency tree of the shipped
  distributions, which :mod:`core.release.licenses` (the license report and its policy) and
  :mod:`core.release.sbom` (CycloneDX) describe.

The vendor's tool that builds and signs a release is ``deploy/releases/build.py``; it is not
shipped. See ``docs/releases.md``.
"""

"""``anneal upgrade check``: what an upgrade would do and break, found out before anything changes.

* :mod:`core.upgrade.target` prepares the new version (an unpacked wheelhouse layered over this
  installation, or another installation's interpreter) and runs :mod:`core.upgrade.probe` in it;
* :mod:`core.upgrade.checks` turns what the probe found, the backups and the plugins' own
  ``anneal_upgrade_checks`` into findings (``ok``, ``warning``, ``blocker``);
* :mod:`core.upgrade.stops` declares the releases an upgrade must not skip.

See docs/deploy/upgrading.md.
"""

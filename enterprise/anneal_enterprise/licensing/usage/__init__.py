"""Usage for true-ups without calling home: daily hash-chained snapshots and signed usage reports.

* :mod:`.instance_key`: the instance's own Ed25519 key (generated on first use, encrypted at rest);
* :mod:`.snapshots`: one snapshot a day (counts only), each chained to the one before;
* :mod:`.reports`: a signed report for a period, bound to a license id;
* :mod:`.format`: the report's format, shared with the vendor's verification tool.
"""

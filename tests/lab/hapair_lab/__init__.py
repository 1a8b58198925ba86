"""The hapair.cluster lab: two QEMU VMs that look like the real servers.

This package is the only code in the repository that knows about QEMU.
"""

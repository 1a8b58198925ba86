"""The lab's backup server: the host's OpenSSH serving SFTP only, into .lab/backup-server/root,
for the lab's key only. QEMU's guestfwd starts it per connection (`sshd -i`) when a VM connects
to 10.0.2.100:22 over its access NIC; it never listens on a port."""

import os
import pwd
import shutil
import subprocess

from .qemu import BACKUP_ADDRESS


def make(d):
    """Keys, an empty repository directory and the sshd_config in `d`; the config's path."""
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "root"))
    for key in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hapair-lab-backup",
                        "-f", os.path.join(d, key)], check=True)
    shutil.copy(os.path.join(d, "client_key.pub"), os.path.join(d, "authorized_keys"))
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    user = pwd.getpwuid(os.geteuid()).pw_name
    with open(os.path.join(d, "sshd_config"), "w") as f:
        f.write("\n".join([
            "# The lab's backup server, started by QEMU (guestfwd) as `sshd -i` per connection.",
            "HostKey %s" % os.path.join(d, "host_key"),
            "AuthorizedKeysFile %s" % os.path.join(d, "authorized_keys"),
            "AllowUsers %s" % user,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "AllowTcpForwarding no",
            "X11Forwarding no",
            "PermitTTY no",
            "Subsystem sftp internal-sftp",
            "ForceCommand internal-sftp -d %s" % os.path.join(d, "root"),
            "LogLevel VERBOSE",
            "",
        ]))
    return sshd_config(d)


def sshd_config(d):
    return os.path.join(d, "sshd_config")


def inventory_vars(d, password):
    with open(os.path.join(d, "host_key.pub")) as f:
        host_key = " ".join(f.read().split()[:2])
    user = pwd.getpwuid(os.geteuid()).pw_name
    return [
        "        hapair_backup_repository: \"sftp:%s@%s:r0\"" % (user, BACKUP_ADDRESS),
        "        hapair_backup_password: \"%s\"" % password,
        "        hapair_backup_ssh_private_key: \"{{ lookup('ansible.builtin.file', '%s') }}\""
        % os.path.join(d, "client_key"),
        "        hapair_backup_ssh_known_hosts: [\"%s %s\"]" % (BACKUP_ADDRESS, host_key),
    ]

"""provision.yml --tags: one concern again on the provisioned pair, the others untouched.

Runs last in this scenario, on the provisioned pair (node1 Primary, in sync).
"""

import re

from hapair_lab.checks import outcome, playbook

ROLES = ("node", "spare_disk", "replication_link", "mirror", "services", "backup", "monitoring", "node_command")


def roles_that_ran(out):
    """The collection's roles that ran a task, from the task headers ("TASK [hapair.cluster.ROLE : ..."),
    leaving out the argument spec validation Ansible runs with any tag ("always")."""
    return set(re.findall(r"^TASK \[hapair\.cluster\.(\w+) : (?!Validating arguments against arg spec)", out,
                          re.M)) & set(ROLES)


def changed(out):
    return re.findall(r"^node\d\s+: ok=\d+\s+changed=(\d+)", out, re.M)


def test_disk_link_and_mirror_alone_change_nothing():
    rc, out, dummy = playbook("provision.yml", options=["--tags", "disk,link,mirror"])
    assert rc == 0, outcome(out)
    assert changed(out) == ["0", "0"], out[-2000:]
    ran = roles_that_ran(out)
    assert ran == {"spare_disk", "replication_link", "mirror"}, ran
    # the control: the same reader sees the other roles in a full run's output
    assert roles_that_ran("TASK [hapair.cluster.node : x] ***\nTASK [hapair.cluster.backup : y] ***\n"
                          "TASK [hapair.cluster.services : Validating arguments against arg spec 'main'] ***\n") == {
        "node", "backup"}


def test_the_mirror_alone_says_which_tags_it_needs_and_changes_nothing():
    rc, out, dummy = playbook("provision.yml", options=["--tags", "mirror"])
    assert rc != 0
    assert "Run provision.yml with --tags disk,link,mirror" in out, outcome(out)
    assert changed(out) == ["0", "0"], out[-2000:]

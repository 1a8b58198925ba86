"""packages: which packages are installed, from dpkg-query's and rpm's own output."""

from ansible_collections.hapair.cluster.plugins.module_utils import packages

# dpkg-query --show --showformat='${Package}\t${Version}\t${db:Status-Abbrev}\n' on Debian 12:
# installed, removed with its config files left ("rc"), and one it has never heard of (absent).
DPKG = "drbd-utils\t9.22.0-1\tii \nxfsprogs\t6.1.0-1\trc \n"
# rpm -q --queryformat '%{NAME}\t%{VERSION}-%{RELEASE}\n' on EL7 (rpm(8): one answer per argument,
# "package X is not installed" for a missing one; an installonly package answers once per version).
RPM = ("kmod-drbd84\t8.4.11-1.2.el7_9.elrepo\n"
       "package drbd84-utils is not installed\n"
       "kernel\t3.10.0-1160.el7\nkernel\t3.10.0-1160.119.1.el7\n"
       "xfsprogs\t4.5.0-22.el7\n")


def test_dpkg_installed_removed_and_unknown():
    found, missing = packages.parse("dpkg-query", ["drbd-utils", "xfsprogs", "nosuch"], DPKG)
    assert found == {"drbd-utils": "9.22.0-1"}
    assert missing == ["xfsprogs", "nosuch"]


def test_dpkg_ignores_a_version_pin_and_an_arch_qualifier():
    found, missing = packages.parse("dpkg-query", ["drbd-utils=9.22.0-1", "libc6"], "libc6:amd64\t2.36-9\tii \n"
                                    + DPKG)
    assert found == {"drbd-utils=9.22.0-1": "9.22.0-1", "libc6": "2.36-9"} and missing == []
    assert packages.query_argv("dpkg-query", ["drbd-utils=9.22.0-1"])[-1] == "drbd-utils"


def test_rpm_answers_in_order_with_several_versions_of_one():
    names = ["kmod-drbd84", "drbd84-utils", "kernel", "xfsprogs"]
    found, missing = packages.parse("rpm", names, RPM)
    assert missing == ["drbd84-utils"]
    assert found == {"kmod-drbd84": "8.4.11-1.2.el7_9.elrepo", "kernel": "3.10.0-1160.el7 3.10.0-1160.119.1.el7",
                     "xfsprogs": "4.5.0-22.el7"}


def test_rpm_a_versioned_spec_matches_its_name():
    found, missing = packages.parse("rpm", ["kmod-drbd84-8.4.11"], "kmod-drbd84\t8.4.11-1.2.el7_9.elrepo\n")
    assert found == {"kmod-drbd84-8.4.11": "8.4.11-1.2.el7_9.elrepo"} and missing == []


def test_rpm_with_no_output_reports_everything_missing():
    assert packages.parse("rpm", ["a", "b"], "") == ({}, ["a", "b"])


def test_the_message_names_every_missing_package_and_the_command():
    msg = packages.missing_message(["drbd-utils", "restic"], "dpkg-query")
    assert "drbd-utils, restic" in msg and "apt-get install drbd-utils restic" in msg

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


# What yum says on EL7 when no enabled repository has the package (CentOS 7's mirrors moved to
# vault.centos.org, EPEL 7's to archives.fedoraproject.org, so a node left with the old URLs
# answers this for everything that is not installed yet).
YUM_NO_PACKAGE = "No package restic available.\nError: Nothing to do"
EL7_SOURCES = {"kmod-drbd84": "ELRepo, set hapair_elrepo_baseurl and hapair_elrepo_gpgkey",
               "restic": "EPEL, set hapair_epel_baseurl and hapair_epel_gpgkey",
               "*": "the OS's own repositories (on EL7 the archive at vault.centos.org)"}


def test_each_missing_package_names_the_repository_variable_to_set():
    msg = packages.missing_message(["restic", "kmod-drbd84-8.4.11", "xfsprogs"], "rpm", EL7_SOURCES,
                                   YUM_NO_PACKAGE)
    assert "restic comes from EPEL, set hapair_epel_baseurl" in msg
    # a versioned spec finds the hint of its name
    assert "kmod-drbd84-8.4.11 comes from ELRepo, set hapair_elrepo_baseurl" in msg
    assert "xfsprogs comes from the OS's own repositories" in msg
    assert msg.endswith("The package manager said: No package restic available. Error: Nothing to do")


def test_without_sources_the_message_is_what_it_was():
    assert (packages.missing_message(["restic"], "rpm")
            == "not installed: restic. Install them (yum install (dnf install on EL 8/9) restic), then run again")


def test_negative_control_a_package_of_another_name_gets_no_hint_of_a_prefix():
    """A hint keyed by a name is given to that name and to NAME-VERSION (rpm's spec), not to another
    package whose name merely starts with it: restic-rest-server is not restic."""
    msg = packages.missing_message(["restic-rest-server"], "rpm", {"restic": "EPEL"})
    assert "comes from" not in msg

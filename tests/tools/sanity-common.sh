# shellcheck shell=bash
# Sourced by tests/tools/sanity.sh (ansible-core of .venv) and tests/tools/sanity-216.sh
# (ansible-core 2.16 of .venv-216): what an offline `ansible-test sanity` needs.
# The caller defines log() and runs from the repository root.
#
# sanity_lock_tree
#     One user of tests/output/tree at a time (e.g. `make -j test`): hold a lock
#     (fd 9) for the rest of the caller's run; collection-tree.sh sees
#     HAPAIR_TREE_LOCKED and does not re-lock.
#
# sanity_offline_get_pip VENV_BIN PYTHON_VERSION...
#     ansible-test gives every sanity test its own virtualenv created WITHOUT pip,
#     then bootstraps pip with a get-pip script downloaded from
#     ci-files.testing.ansible.com, which is unreachable here. It first looks for
#     that script in ~/.ansible/test/cache/get_pip_<pip version>.py
#     (ansible_test/_util/target/setup/requirements.py: bootstrap()). This puts an
#     offline stand-in there for the pip version that VENV_BIN's ansible-test
#     bootstraps on each PYTHON_VERSION: it bootstraps pip with the standard
#     library's ensurepip in a SUBPROCESS (ensurepip run in-process sets
#     PIP_CONFIG_FILE=/dev/null, which would drop this machine's pip config:
#     index, certificate, constraints) and then runs `python -m pip install` with
#     the arguments ansible-test passed, minus --no-setuptools/--no-wheel (get-pip
#     options that pip itself does not know). The stand-in runs on Python 2.7 too.

sanity_lock_tree() {
    if command -v flock >/dev/null 2>&1; then
        mkdir -p tests/output
        exec 9>tests/output/.tree.lock
        flock 9
        export HAPAIR_TREE_LOCKED=1
    fi
}

sanity_offline_get_pip() {
    local venv_bin=$1 pip_versions pip_version get_pip tmp_get_pip
    shift
    local cache_dir=${HOME}/.ansible/test/cache
    mkdir -p "$cache_dir"
    # Ask ansible-test which pip it bootstraps (e.g. 24.2 for 2.19; 23.1.2, and
    # 20.3.4 / 21.3.1 on Python 2.7 / 3.6, for 2.16) rather than hard-coding it.
    pip_versions=$("$venv_bin/python" - "$@" <<'PY'
import sys

from ansible_test._internal.python_requirements import get_venv_packages


class _Python:  # minimal stand-in for the PythonConfig of ansible-test
    def __init__(self, version):
        self.version = version


print('\n'.join(sorted(set(get_venv_packages(_Python(v))['pip'] for v in sys.argv[1:]))))
PY
    )
    for pip_version in $pip_versions; do
        get_pip=$cache_dir/get_pip_${pip_version//./_}.py
        log "installing offline pip bootstrap stand-in: $get_pip"
        tmp_get_pip=$(mktemp "$cache_dir/.get_pip.XXXXXX")
        cat >"$tmp_get_pip" <<'PY'
"""Offline stand-in for ansible-test's get-pip bootstrap script.

Installed by hapair.cluster's tests/tools/sanity-common.sh. ansible-test runs it as
`python get_pip_X_Y.py --disable-pip-version-check pip==X.Y [--no-setuptools]
[--no-wheel]` inside a fresh virtualenv that has no pip.
"""
import os
import subprocess
import sys

DROP = ('--no-setuptools', '--no-wheel')


def main():
    args = [a for a in sys.argv[1:] if a not in DROP]
    env = dict(os.environ)
    env.pop('GET_PIP', None)
    # ensurepip in a subprocess: in-process it would set PIP_CONFIG_FILE=/dev/null
    # for the rest of this process and lose the machine's pip configuration.
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], env=env)
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args, env=env)


if __name__ == '__main__':
    try:
        main()
    except subprocess.CalledProcessError as ex:
        sys.stderr.write('offline get-pip stand-in failed: %s\n' % ex)
        sys.exit(ex.returncode or 1)
PY
        mv -f "$tmp_get_pip" "$get_pip"
    done
}

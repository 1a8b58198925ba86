#!/usr/bin/env bash
# Make the working tree resolvable as hapair.cluster for ansible-playbook and
# molecule: .cache/collections/ansible_collections/hapair/cluster -> the repo.
# (ansible-test needs a real copy instead: see collection-tree.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .cache/collections/ansible_collections/hapair
ln -sfn ../../../.. .cache/collections/ansible_collections/hapair/cluster
echo "$PWD/.cache/collections"

#!/usr/bin/env bash
# The main job on built-in data: an LR range test on MNIST-1D with an MLP. Prints the
# suggestions and writes the plot and the HTML report into lrscope-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p lrscope-out
.venv/bin/lrscope find --task demo:mnist1d-mlp --plot lrscope-out/range_test.png --report lrscope-out/range_test.html "$@"

#!/usr/bin/env bash
# Separate virtual environment for benchmarks that compare with braindecode.
# braindecode is never a dependency of skseizure; it lives only here.
#
# usage: benchmarks/setup_bench_venv.sh [VENV_DIR]   (default ../bench-venv, beside the clone)
set -euo pipefail
VENV="${1:-$(cd "$(dirname "$0")/../.." && pwd)/bench-venv}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$VENV"
# torch first and pinned: an unpinned resolve would pull a CUDA build.
"$VENV/bin/pip" install torch==2.13.0
"$VENV/bin/pip" install braindecode imbalanced-learn==0.14.2
# braindecode pulls torchaudio 2.11.0, a CUDA wheel whose native library cannot load on a
# CPU-only torch (OSError: libc10_cuda.so). braindecode imports torchaudio at module level;
# without the .so files torchaudio falls back to pure Python and EEGNet/ShallowFBCSPNet work.
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
mkdir -p "$VENV/torchaudio_so_disabled"
if compgen -G "$SITE/torchaudio/lib/*.so" > /dev/null; then
  mv "$SITE"/torchaudio/lib/*.so "$VENV/torchaudio_so_disabled/"
fi
# skseizure itself, without re-resolving its dependencies (torch stays pinned)
"$VENV/bin/pip" install --no-deps -e "$REPO"
"$VENV/bin/python" -c "import braindecode, torch, skseizure; print('braindecode', braindecode.__version__, 'torch', torch.__version__)"

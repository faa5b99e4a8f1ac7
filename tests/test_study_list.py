"""`lrscope study show` without --study lists every study in a storage."""

from __future__ import annotations

import json
import subprocess
import sys

from lrscope.hpsearch import create_study, list_studies, search


def test_list_studies_and_cli_show_every_study(tmp_path):
    storage = str(tmp_path / "studies.log")
    create_study(storage, "alpha", strategy="random", direction="minimize")
    create_study(storage, "beta", strategy="random", direction="minimize")
    # three trials of a known objective in "alpha": best is the smallest of the three values
    result = search(lambda config, reporter: (config["lr"] - 0.01) ** 2, storage=storage, study="alpha",
                    budget=3, seed=0, progress=False)
    values = sorted(t.metric for t in result.trials)

    listed = {s["study"]: s for s in list_studies(storage)}
    assert set(listed) == {"alpha", "beta"}
    assert listed["alpha"]["trials"] == 3 and listed["alpha"]["best"] == values[0]
    assert listed["beta"]["trials"] == 0 and listed["beta"]["best"] is None

    out = subprocess.run([sys.executable, "-m", "lrscope", "study", "show", "--storage", storage, "--json"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert {s["study"]: s["trials"] for s in json.loads(out.stdout)} == {"alpha": 3, "beta": 0}

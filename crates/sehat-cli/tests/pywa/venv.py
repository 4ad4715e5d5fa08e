"""Creates (or reuses) a virtual environment with the pinned pywa, for the mock test.

    python3 venv.py VENV_DIR REQUIREMENTS_TXT

Prints the path of the environment's python on success (exit 0). The environment is
reused while it was completely installed from the same requirements file (a marker file
holds the file's SHA-256); anything else is removed and installed again.

Exit 77 means the package index could not be reached: the caller decides whether that
skips the test (a developer offline) or fails it (CI). Any other failure exits 1.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

UNREACHABLE = 77
MARKER = "sehat-requirements.sha256"


def index_url() -> str:
    """The package index pip uses: PIP_INDEX_URL, else pip's configuration, else PyPI."""
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        try:
            url = subprocess.run(
                [sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            url = ""
    return (url or "https://pypi.org/simple").rstrip("/") + "/"


def index_reachable(url: str) -> str | None:
    """None when the index answers the pywa page, else why not."""
    try:
        with urllib.request.urlopen(url + "pywa/", timeout=15) as response:
            response.read(1)
        return None
    except (urllib.error.URLError, OSError) as error:
        return str(error)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 1
    venv, requirements = sys.argv[1], sys.argv[2]
    with open(requirements, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    python = os.path.join(venv, "bin", "python")
    marker = os.path.join(venv, MARKER)
    try:
        with open(marker, encoding="ascii") as f:
            if f.read().strip() == digest and os.path.exists(python):
                print(python)
                return 0
    except OSError:
        pass
    shutil.rmtree(venv, ignore_errors=True)
    created = subprocess.run(
        [sys.executable, "-m", "venv", venv], capture_output=True, text=True
    )
    if created.returncode != 0:
        print(
            f"cannot create a virtual environment with {sys.executable} -m venv "
            f"(on Debian: apt-get install python3-venv):\n{created.stderr}",
            file=sys.stderr,
        )
        return 1
    installed = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--timeout",
            "30",
            "--retries",
            "2",
            "--requirement",
            requirements,
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        url = index_url()
        why = index_reachable(url)
        if why is not None:
            print(f"the package index {url} is unreachable: {why}", file=sys.stderr)
            return UNREACHABLE
        print(
            f"pip could not install {requirements}:\n{installed.stdout}\n{installed.stderr}",
            file=sys.stderr,
        )
        return 1
    with open(marker, "w", encoding="ascii") as f:
        f.write(digest + "\n")
    print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())

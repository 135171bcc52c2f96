"""Build hook: a wheel carries resources/ and the translations, compiled to .mo at build time.

Everything else is in pyproject.toml. An editable install (`pip install -e .`) reads
resources/ and translations/ from the checkout instead (see desktop_helpdesk/paths.py), where
the app compiles a .po in memory if no .mo was built.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "desktop_helpdesk" / "_data"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / "resources", target / "resources")
        compile_catalogs = _load_compiler()
        compile_catalogs(ROOT / "translations", target / "translations")


def _load_compiler():
    """desktop_helpdesk/i18n/catalogs.py, loaded by its path: importing the package would
    need the app's dependencies, which pip's isolated build environment does not have."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_desktop_helpdesk_catalogs", ROOT / "desktop_helpdesk" / "i18n" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compile_catalogs


setup(cmdclass={"build_py": BuildWithData})

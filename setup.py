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
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/*.po")):
            lang = po.parent.parent.name
            out = target / "translations" / lang / "LC_MESSAGES"
            out.mkdir(parents=True, exist_ok=True)
            with open(po, "rb") as fh:
                catalog = read_po(fh, locale=lang)
            with open(out / (po.stem + ".mo"), "wb") as fh:
                write_mo(fh, catalog)


setup(cmdclass={"build_py": BuildWithData})

"""Screenshots of the two report pages for the shipped examples, for the README and docs/.

Runs the commands the README gives (`clause explain … --format html` on the cross-province
example, `clause eval … --report` on the example register), opens each page in headless
Chromium (Debian's `chromium`, driven by Playwright; no network) and writes PNGs beside this
script, in docs/screenshots/. Two more show the language forms of issue 11 on the explanation
page, from the forms fixture's golden case (tests/golden/explain/forms-en.yaml): a rule needing
a documented exception, and quotes marked in the clause they cite. Chinese text needs a CJK
font: `apt-get install fonts-noto-cjk`.

    python docs/screenshots.py [--chromium /usr/bin/chromium] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH = 1200


def clause(*args: str, stdout: Path | None = None) -> None:
    """Run `clause` from the repository root, as the README does."""
    command = [sys.executable, "-m", "clause.cli", *args]
    with open(stdout, "w", encoding="utf-8") if stdout else open("/dev/null", "w") as out:
        subprocess.run(command, cwd=ROOT, check=True, stdout=out)


def pages(work: Path) -> dict[str, Path]:
    """The pages to photograph, made by the commands a reader would type."""
    made = {}
    for lang in ("zh", "en"):
        made[f"explain-{lang}"] = work / f"explain-{lang}.html"
        clause(
            "explain", "examples/hubei/cross-province-migrant-worker.yaml",
            "--date", "2021-10-15", "--format", "html", "--lang", lang,
            stdout=made[f"explain-{lang}"],
        )  # fmt: skip
        made[f"dashboard-{lang}"] = work / f"dashboard-{lang}.html"
        clause(
            "eval", "examples/register/register.csv", "--date", "2022-12-31",
            "--budget", "examples/register/budget.yaml", "--out", str(work / "results.csv"),
            "--report", str(made[f"dashboard-{lang}"]), "--lang", lang, "--quiet",
        )  # fmt: skip
    made["forms"] = work / "forms-en.html"
    case = yaml.safe_load((ROOT / "tests/golden/explain/forms-en.yaml").read_text("utf-8"))
    facts = work / "forms-facts.json"
    facts.write_text(json.dumps(case["facts"], ensure_ascii=False, default=str), "utf-8")
    clause(
        "explain", str(facts), "--date", str(case["date"]), "--package", "tests/fixtures/forms",
        "--format", "html", "--lang", "en", stdout=made["forms"],
    )  # fmt: skip
    return made


#: Parts of the forms page photographed alone: (file name, the element).
FORMS_PARTS = (
    ("forms-exception-en", 'article[data-rule="job-duties"]'),
    ("forms-cited-en", 'article[data-rule="transport"]'),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--height", type=int, default=2200, help="most pixels of a page shown")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=FLAGS)
        for name, page_file in pages(Path(tmp)).items():
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(page_file.as_uri(), wait_until="load")
            if name == "forms":
                for part, selector in FORMS_PARTS:
                    target = args.out / f"{part}.png"
                    page.locator(selector).screenshot(path=str(target))
                    print(f"{target.relative_to(ROOT)}  {selector}")
                page.close()
                continue
            height = min(page.evaluate("document.documentElement.scrollHeight"), args.height)
            target = args.out / f"{name}.png"
            clip = {"x": 0, "y": 0, "width": WIDTH, "height": height}
            page.screenshot(path=str(target), full_page=True, clip=clip)
            print(f"{target.relative_to(ROOT)}  {WIDTH}x{height}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()

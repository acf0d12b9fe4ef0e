"""The data step of `make test` and `make lab`: the MNIST variant the course needs, verified.

    python -m tools.setup_data [--variant digits|fashion] [--mirror URL ...]

The variant is ``--variant``, else ``$DP_MNIST_VARIANT``, else ``digits``
(`make test` sets ``DP_MNIST_VARIANT=fashion``). It is obtained the way
``dp.datasets.fetch_mnist`` does it, in this order:

1. a verified copy already in ``$DP_DATA_DIR`` or dp's download cache;
2. Debian's package (``/usr/share/datasets/fashion-mnist``; ``DP_SYSTEM_DATA_DIR``
   moves or, set empty, hides it);
3. a download from the public mirrors (or from ``--mirror`` URLs, tried in
   turn), verified by checksum before it is kept.

So tests and notebooks never download: they find the files this step left.
Exit status 0 with one line saying where the files are; 1 with one paragraph
saying what is missing and the ways to get it, instead of dozens of failing
tests later.
"""

import argparse
import sys
import textwrap
import warnings

from dp import datasets
from tools.errors import ToolError, main_reports_errors

# Sizes of the four .gz files of each variant, rounded up.
DOWNLOAD_MB = {"digits": 12, "fashion": 31}


def failure_paragraph(variant):
    """What is missing and how to get it, as one paragraph (no blank line, no traceback)."""
    title = datasets.TITLES[variant]
    names = ", ".join(spec.gz_name for spec in datasets.FILES[variant])
    subdir = datasets.SUBDIRS[variant]
    ways = [f"connect to the internet and run the command again (set-up downloads about "
            f"{DOWNLOAD_MB[variant]} MB once and checks every file);",
            f"or copy the four files ({names}) into a folder DIR/{subdir} and set "
            f"DP_DATA_DIR=DIR;"]
    if variant == "fashion":
        ways.append("or, on Debian or Ubuntu, run sudo apt-get install dataset-fashion-mnist.")
    else:
        ways.append("or use Fashion-MNIST, which Debian and Ubuntu package: sudo apt-get "
                    "install dataset-fashion-mnist, then set DP_MNIST_VARIANT=fashion.")
    text = (f"Set-up stopped: the course needs {title} (DP_MNIST_VARIANT={variant}) and "
            f"there is no verified copy on this machine (not in $DP_DATA_DIR, dp's "
            f"download cache or Debian's package), and downloading it failed. To get it, "
            + " ".join(ways)
            + f" `python -m dp.datasets {variant}` says which file failed and why; "
              f"`make doctor` checks everything else the course needs.")
    return textwrap.fill(text, width=88, break_on_hyphens=False)


@main_reports_errors
def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.setup_data",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=datasets.VARIANTS,
                        help="default: $DP_MNIST_VARIANT, else digits")
    parser.add_argument("--mirror", action="append", metavar="URL",
                        help="download from this base URL instead of the public mirrors "
                             "(repeat to try several in turn)")
    args = parser.parse_args(argv)
    try:
        variant = datasets.resolve_variant(args.variant)
    except ValueError as error:
        parser.error(str(error))
    if args.mirror:
        datasets.MIRRORS = {**datasets.MIRRORS, variant: tuple(args.mirror)}
    with warnings.catch_warnings(record=True) as damaged:
        warnings.simplefilter("always", datasets.CorruptDataWarning)
        try:
            paths = datasets.fetch_mnist(variant)
        except datasets.DatasetNotFoundError:
            paths = None
    for warning in damaged:  # a damaged copy was skipped: say so, once, in one line each
        print(f"note: {warning.message}", file=sys.stderr)
    if paths is None:
        raise ToolError(failure_paragraph(variant))
    folders = sorted({str(path.parent) for path in paths})
    print(f"✓ {datasets.TITLES[variant]} verified in {', '.join(folders)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

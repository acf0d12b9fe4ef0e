"""Check hub/z2jh/values.yaml against the Zero to JupyterHub chart's values schema.

    python hub/z2jh/validate.py PATH/TO/zero-to-jupyterhub-k8s

The schema is not published on PyPI, npm or Debian, so this needs a checkout of the
chart's repository (https://github.com/jupyterhub/zero-to-jupyterhub-k8s). Helm
validates the chart's defaults merged with the given values; so does this.
"""

import copy
import sys
from pathlib import Path

import jsonschema
import yaml


def merge(base: dict, override: dict) -> dict:
    """Helm's merge of user values over the chart's defaults: dicts recursively,
    everything else replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        both_dicts = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merge(out[key], value) if both_dicts else value
    return out


def main(argv) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    chart = Path(argv[0]) / "jupyterhub"
    schema = yaml.safe_load((chart / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((chart / "values.yaml").read_text())
    values = yaml.safe_load((Path(__file__).parent / "values.yaml").read_text())
    jsonschema.validate(merge(defaults, values), schema)
    print(f"hub/z2jh/values.yaml is valid for the chart in {chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

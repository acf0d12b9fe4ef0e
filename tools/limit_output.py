"""An nbgrader preprocessor that also caps the SIZE of a cell's output, not only its lines.

nbgrader's own ``LimitOutput`` keeps at most ``max_lines`` lines of stream output,
but a single line can be megabytes long (``print("x" * 10**7)``) and then lands
whole in the autograded notebook, the feedback HTML and formgrader. This subclass
runs nbgrader's line limit, then truncates each stream text and each text result
to ``max_chars`` characters. ``nbgrader_config.py`` puts it in place of
``LimitOutput`` in the autograde preprocessors.
"""

from nbgrader.preprocessors import LimitOutput
from traitlets import Integer

TRUNCATED = "\n... Output truncated (more than {limit} characters) ...\n"


class LimitOutputSize(LimitOutput):
    """``LimitOutput`` plus a cap of ``max_chars`` characters per output (-1: no cap)."""

    max_chars = Integer(
        20_000, help="maximum number of characters kept per output (-1 means no limit)"
    ).tag(config=True)

    def _cap(self, text):
        if isinstance(text, list):  # nbformat allows multi-line strings as lists
            text = "".join(text)
        if self.max_chars < 0 or len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + TRUNCATED.format(limit=self.max_chars)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.outputs:
            if output.output_type == "stream":
                output.text = self._cap(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
                    if mime in output.get("data", {}):
                        output.data[mime] = self._cap(output.data[mime])
        return cell, resources

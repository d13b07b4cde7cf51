"""Domain models of the three performance forms and the parser for their text exports."""

from jixiao.forms.models import Form, FormType, Indicator, ParseResult  # noqa: F401
from jixiao.forms.parser import parse_file, parse_text  # noqa: F401

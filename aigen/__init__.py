"""aigen: AI incident detection and response as code."""

__version__ = "0.1.0"

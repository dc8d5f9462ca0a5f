"""clause: policy-as-code for government subsidy notices.

The library never prints and never imports the command line; `cli/` renders what it returns.
"""

__version__ = "0.1.0"

"""CBM Hub: the platform that runs confidence-building measures between states."""

__version__ = "0.1.0"

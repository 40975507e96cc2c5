"""North Korean troops in Russia's war against Ukraine: a citable dataset and its validator."""

__version__ = "1.0.0+unreleased"

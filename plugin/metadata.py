"""Legacy import path of distribution metadata helpers, as plux 1.x had it."""

from plux.runtime.metadata import (
    Distribution,
    metadata_packages_distributions,
    packages_distributions,
    resolve_distribution_information,
)

__all__ = [
    "Distribution",
    "metadata_packages_distributions",
    "packages_distributions",
    "resolve_distribution_information",
]

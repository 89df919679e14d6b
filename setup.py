"""Package discovery that pyproject.toml alone cannot express: blueprints/ ships as generator.blueprints."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["generator", "generator.*"]) + ["generator.blueprints"],
    package_dir={"generator.blueprints": "blueprints"},
)

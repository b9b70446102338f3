"""opsgen: compile a service catalogue (services.yaml) into Kubernetes YAML."""

import os as _os

__version__ = "0.1.0"

# jsii (under cdk8s) prints an 11-line Node end-of-life banner whenever its
# runtime starts; whichever module imports cdk8s first, nobody asked for it.
_os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
_os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

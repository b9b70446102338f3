"""opsgen: compile a service catalogue (services.yaml) into Kubernetes YAML."""

__version__ = "0.1.0"

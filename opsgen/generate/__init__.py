"""The build layer: the model -> cdk8s constructs (generate, alerting, routing, dashboards, lib)."""

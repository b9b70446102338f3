"""opsgen's construct library: one cdk8s construct per output kind, one file each.

Each construct takes a frozen props dataclass (defaults documented on its
fields), checks the props in its constructor, and becomes exactly one cdk8s
ApiObject; a chart's objects cross to cdk8s together, in one jsii call
(base.Manifest, base.synth and base.synth_taken, json_api_object.py).
"""
from opsgen.output import bridge

bridge.prepare()  # before cdk8s starts its jsii kernel
from opsgen.build.lib.alertmanager_config import (
    AlertmanagerConfig,
    AlertmanagerConfigProps,
    InhibitRule,
    Matcher,
    Message,
    Receiver,
    Route,
    SecretRef,
    operator_config,
)
from opsgen.build.lib.base import Manifest, ObjectMeta, Pending, created, pending_size, synth, synth_taken, take_pending
from opsgen.build.lib.dashboard_config_map import DashboardConfigMap, DashboardConfigMapProps
from opsgen.build.lib.hpa import HorizontalPodAutoscaler, HpaProps
from opsgen.build.lib.namespace import Namespace, NamespaceProps
from opsgen.build.lib.pod_monitor import PodMonitor, PodMonitorProps
from opsgen.build.lib.prometheus_rule import PrometheusRule, PrometheusRuleProps, Rule, RuleGroup
from opsgen.build.lib.scaled_object import KafkaTrigger, ScaledObject, ScaledObjectProps
from opsgen.build.lib.service_monitor import Endpoint, ServiceMonitor, ServiceMonitorProps
from opsgen.build.lib.trigger_authentication import TriggerAuthentication, TriggerAuthenticationProps

__all__ = [
    "AlertmanagerConfig",
    "AlertmanagerConfigProps",
    "DashboardConfigMap",
    "DashboardConfigMapProps",
    "Endpoint",
    "HorizontalPodAutoscaler",
    "HpaProps",
    "InhibitRule",
    "KafkaTrigger",
    "Manifest",
    "Matcher",
    "Message",
    "Namespace",
    "NamespaceProps",
    "ObjectMeta",
    "Pending",
    "PodMonitor",
    "PodMonitorProps",
    "PrometheusRule",
    "PrometheusRuleProps",
    "Receiver",
    "Route",
    "Rule",
    "RuleGroup",
    "ScaledObject",
    "ScaledObjectProps",
    "SecretRef",
    "ServiceMonitor",
    "ServiceMonitorProps",
    "created",
    "pending_size",
    "synth",
    "synth_taken",
    "take_pending",
    "TriggerAuthentication",
    "TriggerAuthenticationProps",
    "operator_config",
]
